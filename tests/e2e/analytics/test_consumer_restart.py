"""The analytics consumer dying under `skyfare up`'s supervisor: it is started again (with
back-off), and the children serving travelers keep running. Before, the supervisor stopped the
whole stack when any child exited, so a bad analytics batch took the API down with it."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from skyfare.settings import load_settings
from skyfare.supervisor import Supervisor
from skyfare.workers import run_analytics

BOUND_S = 120.0


def serve_until_terminated() -> None:
    """Stands in for an API worker: serves until SIGTERM."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        time.sleep(1)


def test_a_dying_consumer_is_restarted_and_the_api_keeps_serving(
    tmp_path: Path, redis_url: str
) -> None:
    # The real consumer process, failing at each start: its store's folder is a file.
    blocked = tmp_path / "analytics"
    blocked.write_text("not a folder")
    settings = load_settings({"REDIS_URL": redis_url, "SKYFARE_ANALYTICS_DIR": str(blocked)})
    supervisor = Supervisor(stop_timeout_s=10.0, restart_first_s=0.01, restart_max_s=0.05)
    api = supervisor.spawn("api-worker-0", serve_until_terminated)
    supervisor.spawn("analytics", run_analytics, settings, restart=True)
    exited = []
    waiter = threading.Thread(target=lambda: exited.append(supervisor.wait_for_a_child_to_exit()))
    waiter.start()
    try:
        deadline = time.monotonic() + BOUND_S
        while supervisor.restarts < 3 and time.monotonic() < deadline:
            time.sleep(0.05)

        assert supervisor.restarts >= 3
        # Nothing stopped the stack: the supervisor still waits, the API still serves.
        assert waiter.is_alive()
        assert api.is_alive()
    finally:
        api.terminate()
        waiter.join(BOUND_S)
        supervisor.stop_all()
    assert [p.name for p in exited] == ["api-worker-0"]
    assert api.exitcode == 0
