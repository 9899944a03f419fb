"""deploy/README.md's production `pgbouncer.ini` sketch, loaded by a real PgBouncer (Debian's)
in front of the test PostgreSQL, with only what a local run needs added (its address, trust).
PgBouncer has no comments after a value: the sketch's `default_pool_size = 20 ; …` was read
as the value, and an operator copying it got `FATAL cannot load config file`."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
import pytest

from tests.support.pgbouncer import PgBouncer, pgbouncer_binary

README = Path(__file__).resolve().parents[3] / "deploy" / "README.md"
COMPOSE_INI = README.parent / "pgbouncer" / "pgbouncer.ini"
# Settings of a later PgBouncer than Debian 12's 1.18, which refuses to load a file naming one.
NEWER_SETTINGS = re.compile(r"^max_prepared_statements = .*$", re.MULTILINE)


def sketch() -> str:
    text = README.read_text()
    found = re.search(r"`pgbouncer\.ini` sketch:\s*```ini\n(.*?)```", text, re.DOTALL)
    assert found, "deploy/README.md has no pgbouncer.ini sketch"
    return "\n".join(line.strip() for line in found.group(1).splitlines()) + "\n"


class SketchBouncer(PgBouncer):
    """The sketch, its databases pointed at the test PostgreSQL's database."""

    def text(self) -> str:
        return sketch()

    def _config(self, host: str, port: int) -> str:
        database = self._upstream.path.lstrip("/") or "postgres"
        text = re.sub(
            r"host=\S+ port=\d+ dbname=\S+",
            f"host={host} port={port} dbname={database}",
            self.text(),
        )
        auth_file = self.directory / "users.txt"
        auth_file.write_text(f'"{self.user}" ""\n')
        auth_file.chmod(0o644)
        return text + (
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {auth_file}\n"
        )


async def _answers_in(bouncer: SketchBouncer, database_url: str, *databases: str) -> None:
    """`bouncer`, in front of the test PostgreSQL, answers `SELECT 1` in each of `databases`."""
    if pgbouncer_binary() is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    try:
        url = bouncer.start(database_url).rsplit("/", 1)[0]
        for database in databases:
            conn = await asyncpg.connect(f"{url}/{database}", statement_cache_size=0, timeout=10)
            try:
                assert await conn.fetchval("SELECT 1") == 1
            finally:
                await conn.close()
    finally:
        bouncer.stop()


async def test_the_readme_sketch_loads_and_pools(database_url: str, tmp_path: Path) -> None:
    # skyfare_ready: /readyz's own pool (SKYFARE_DB_CHECK_DATABASE).
    await _answers_in(SketchBouncer(tmp_path), database_url, "skyfare", "skyfare_ready")


class ComposeBouncer(SketchBouncer):
    """deploy/compose.yaml's pgbouncer.ini, its address and authentication made local."""

    def text(self) -> str:
        text = NEWER_SETTINGS.sub("", COMPOSE_INI.read_text())
        return re.sub(r"^(listen_\w+|unix_socket_dir|auth_\w+) =.*$", "", text, flags=re.MULTILINE)


async def test_the_compose_pgbouncer_ini_loads_and_serves_readiness_a_pool_of_its_own(
    database_url: str, tmp_path: Path
) -> None:
    await _answers_in(ComposeBouncer(tmp_path), database_url, "skyfare", "skyfare_ready")
