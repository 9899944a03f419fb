"""The analytics consumer under `skyfare up`'s supervisor runs niced below the API workers it
shares cores with (skyfare/priority.py), DuckDB's threads included: its Parquet exports took
half of a core an API worker needed, the cold-search tail (bench/results/2026-12-05-cold-p99.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from skyfare.priority import BACKGROUND_NICE
from skyfare.settings import load_settings
from skyfare.supervisor import Supervisor
from skyfare.workers import run_analytics
from tests.e2e.analytics.test_consumer_restart import serve_until_terminated

BOUND_S = 120.0
pytestmark = pytest.mark.timeout(2 * BOUND_S)


def nice_of_each_thread(pid: int) -> list[int]:
    """Every live thread's nice value (/proc/<pid>/task/<tid>/stat, field 19).

    A thread may end between the listing and the read (DuckDB's come and go): it is skipped, as it
    no longer runs at any priority. A CI run failed on exactly that read.
    """
    values = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except FileNotFoundError:
            continue
        values.append(int(stat.rsplit(")", 1)[1].split()[16]))
    return values


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_the_consumer_and_its_duckdb_threads_run_niced_and_the_api_does_not(
    tmp_path: Path, redis_url: str
) -> None:
    settings = load_settings(
        {
            "REDIS_URL": redis_url,
            "SKYFARE_ANALYTICS_DIR": str(tmp_path / "analytics"),
            "SKYFARE_ANALYTICS_PORT": "0",  # the consumer alone: no reports on 8083
        }
    )
    supervisor = Supervisor(stop_timeout_s=10.0)
    api = supervisor.spawn("api-worker-0", serve_until_terminated)
    consumer = supervisor.spawn("analytics", run_analytics, settings, restart=True)
    try:
        # Serving: its store is open. Then every thread it runs for a while, DuckDB's included
        # whenever it starts one (with `threads=1` it may run none: 1 of 3 CI runs saw only the
        # main thread in 120 s), is sampled: each must be niced.
        deadline = time.monotonic() + BOUND_S
        while time.monotonic() < deadline and not any((tmp_path / "analytics").glob("*.duckdb")):
            time.sleep(0.05)
        assert any((tmp_path / "analytics").glob("*.duckdb")), "the consumer never opened its store"
        assert consumer.pid is not None
        assert api.pid is not None
        seen: set[int] = set()
        sampled_until = time.monotonic() + 1.0
        while time.monotonic() < sampled_until:
            seen.update(nice_of_each_thread(consumer.pid))
            time.sleep(0.02)

        assert seen == {max(BACKGROUND_NICE, os.getpriority(os.PRIO_PROCESS, 0))}
        assert set(nice_of_each_thread(api.pid)) == {os.getpriority(os.PRIO_PROCESS, 0)}
    finally:
        supervisor.stop_all()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_a_thread_that_ends_while_being_read_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = os.listdir(f"/proc/{os.getpid()}/task")
    ended = str(max(int(tid) for tid in os.listdir("/proc") if tid.isdigit()) + 1)
    monkeypatch.setattr(os, "listdir", lambda path: [*listed, ended])

    assert set(nice_of_each_thread(os.getpid())) == {os.getpriority(os.PRIO_PROCESS, 0)}
