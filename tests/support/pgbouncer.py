"""PgBouncer (Debian's `pgbouncer`) in transaction pooling mode in front of a test PostgreSQL.

Started once per session when a test asks for it (tests/conftest.py `pgbouncer`). Every client
user is looked up in PostgreSQL (`auth_query` as the upstream's user) and trusted, as the local
servers trust loopback: a test schema gets a login role of its own whose `search_path` is that
schema (`ALTER ROLE … SET search_path`), because PgBouncer 1.18 refuses a `search_path` startup
parameter and keeps one pool per user, so each role's server connections stay in its schema.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import urllib.parse
from pathlib import Path

from tests.support.ports import free_port, wait_for_port

START_TIMEOUT_S = 20.0


def pgbouncer_binary() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


def _unprivileged_user(host: str) -> str:
    """Whom PgBouncer runs as when we are root (it refuses root): the owner of the embedded
    PostgreSQL's socket directory (only that user may reach it), else `nobody`."""
    if host.startswith("/"):
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    return "nobody"


class PgBouncer:
    """One PgBouncer process; `start(upstream_url)` returns its URL (same user and database)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._upstream = urllib.parse.urlsplit("postgresql://localhost")

    def start(self, upstream_url: str) -> str:
        binary = pgbouncer_binary()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer)")
        self._upstream = urllib.parse.urlsplit(upstream_url)
        query = dict(urllib.parse.parse_qsl(self._upstream.query))
        # A TCP address, or (the embedded PostgreSQL) a unix socket's directory in `?host=`.
        host = self._upstream.hostname or query.get("host") or "127.0.0.1"
        port = self._upstream.port or int(query.get("port", "5432"))
        self.port = free_port()
        self.directory.mkdir(parents=True, exist_ok=True)
        # Readable by the user PgBouncer drops to when we are root (_unprivileged_user).
        self.directory.chmod(0o755)
        config = self.directory / "pgbouncer.ini"
        config.write_text(self._config(host, port))
        config.chmod(0o644)
        command = [binary, str(config)]
        if os.geteuid() == 0:
            command[1:1] = ["-u", _unprivileged_user(host)]
        log = (self.directory / "pgbouncer.log").open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for_port(self.port, timeout=START_TIMEOUT_S, alive=self._alive)
        return self.url(self.user)

    @property
    def user(self) -> str:
        """The upstream URL's user (the embedded server's, or DATABASE_URL's)."""
        return self._upstream.username or "postgres"

    def url(self, user: str) -> str:
        database = self._upstream.path.lstrip("/") or "postgres"
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def _alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _config(self, host: str, port: int) -> str:
        user = self._upstream.username or "postgres"
        auth_file = self.directory / "users.txt"
        auth_file.write_text(f'"{user}" ""\n')
        auth_file.chmod(0o644)
        # The test PostgreSQL is shared (max_connections 100 on a developer's machine): at most
        # 10 server connections in all, an idle one of a finished test's role closed soon (or
        # taken over at once by the pool that needs one: PgBouncer evicts idle connections of
        # other pools of the database at `max_db_connections`).
        return f"""[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = {auth_file}
auth_user = {user}
default_pool_size = 10
max_db_connections = 10
max_client_conn = 500
server_idle_timeout = 2
server_lifetime = 60
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
admin_users = {user}
"""

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
