"""deploy/nginx as `skyfare up --gateway` and the gateway tests render it, checked by the installed
nginx itself (`nginx -t`): valid, and without a warning (a deprecated form warns at every start)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from skyfare.gateway import GatewayError, nginx_binary, nginx_version, write_config
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
