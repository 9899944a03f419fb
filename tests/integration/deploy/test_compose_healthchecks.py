"""deploy/compose.yaml's health checks of the gateway and PgBouncer, run as their containers run
them, against the same programs on this machine (no container engine here: the ports moved,
the shell, curl and psql are this machine's): each is healthy while its program serves, and not
once it stopped. The gateway's no longer depends on a service: asking a search route, it read
"unhealthy" while the search processes restarted, though nginx answered (its own 503).
PgBouncer's sends a query through it to PostgreSQL, in /readyz's pool."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from skyfare.gateway import write_config
from tests.integration.deploy.test_pgbouncer_sketch import ComposeBouncer
from tests.support.gateway import gateway_layout, gateway_prerequisites, running_nginx
from tests.support.pgbouncer import pgbouncer_binary
from tests.support.ports import free_port

COMPOSE = Path(__file__).resolve().parents[3] / "deploy" / "compose.yaml"
CHECK_TIMEOUT_S = 10.0


def _health_check(service: str) -> str:
    """The service's check as a shell line (a CMD's words quoted)."""
    kind, *words = yaml.safe_load(COMPOSE.read_text())["services"][service]["healthcheck"]["test"]
    line = words[0] if kind == "CMD-SHELL" else shlex.join(words)
    return str(line).replace("$$", "$")  # compose's `$$` is the container shell's `$`


def _run(line: str, ports: dict[int, int], environment: dict[str, str] | None = None) -> int:
    """`line` as the container engine runs it, its ports moved here; the exit status."""
    for container, here in ports.items():
        line = line.replace(f":{container}/", f":{here}/").replace(
            f"-p {container} ", f"-p {here} "
        )
        line = line.replace(f"-p {container}", f"-p {here}")  # pg_isready's, a CMD's last words
    try:
        return subprocess.run(
            ["sh", "-c", line], env={**os.environ, **(environment or {})}, timeout=CHECK_TIMEOUT_S
        ).returncode
    except subprocess.TimeoutExpired:  # the engine's `timeout` counts as a failure too
        return -1


async def test_the_gateway_is_healthy_while_nginx_answers_without_any_service(
    database_url: str, tmp_path: Path
) -> None:
    await gateway_prerequisites(database_url)
    # Nothing listens on the services' ports: nginx answers its 503 on their routes.
    layout = gateway_layout(search_ports=(free_port(),), booking_port=free_port())
    config = write_config(layout, tmp_path)
    check = _health_check("nginx")
    async with running_nginx(config):
        healthy = _run(check, {8443: layout.https_port})
    assert healthy == 0
    assert _run(check, {8443: layout.https_port}) != 0


async def test_pgbouncer_is_healthy_while_a_query_goes_through_it(
    database_url: str, tmp_path: Path
) -> None:
    if pgbouncer_binary() is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    bouncer = ComposeBouncer(tmp_path)
    # The compose user's name, as the test PostgreSQL's (trusted here: no password asked).
    check = _health_check("pgbouncer")
    assert "-U skyfare " in check
    try:
        bouncer.start(database_url)
        check = check.replace("-U skyfare ", f"-U {bouncer.user} ")
        healthy = _run(check, {6432: bouncer.port}, {"DB_PASSWORD": "unused-here"})
    finally:
        bouncer.stop()
    assert healthy == 0
    assert _run(check, {6432: bouncer.port}, {"DB_PASSWORD": "unused-here"}) != 0
