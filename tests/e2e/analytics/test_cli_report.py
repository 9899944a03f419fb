"""`skyfare analytics replay` and `skyfare report` as real processes over a scripted day."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis

from analytics.store import DB_FILE, AnalyticsStore
from tests.support.analytics import publish


@pytest.fixture
async def streams(redis_url: str) -> AsyncIterator[tuple[str, str]]:
    names = (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")
    client = redis.Redis.from_url(redis_url)
    await publish(client, names)
    yield names
    await client.delete(*names)
    await client.aclose()


def _skyfare(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skyfare.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        # Only a hang's bound: a replay and every report with its plots took 53 s on a loaded
        # machine (load average 18), against 60 s here before.
        timeout=300,
        check=False,
    )


def test_replay_then_report_prints_the_tables_and_writes_the_plots(
    redis_url: str, streams: tuple[str, str], tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "SKYFARE_USAGE_STREAM": streams[0],
        "SKYFARE_EVENT_STREAM": streams[1],
        "SKYFARE_ANALYTICS_DIR": str(tmp_path / "store"),
        "SKYFARE_LOG_LEVEL": "WARNING",
    }

    replayed = _skyfare(env, "analytics", "replay", "--from", "0-0")
    reported = _skyfare(env, "report", "--since", "9999d", "--out", str(tmp_path / "plots"))
    bad = _skyfare(env, "report", "--since", "a week")

    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == "replayed 46 stream entries from 0-0"
    assert reported.returncode == 0, reported.stderr
    funnel = reported.stdout.split("# funnel")[1].splitlines()
    assert funnel[1:7] == ["step\tcount", "search\t30", "re-price\t3", "hold\t3", "paid\t2",
                           "ticketed\t2"]  # fmt: skip
    look = reported.stdout.split("# look_to_book")[1].splitlines()
    assert look[1:4] == ["route\tsearches\tbookings\tlook_to_book", "LHR-JFK\t18\t1\t18.0",
                         "FRA-JFK\t12\t1\t12.0"]  # fmt: skip
    plots = sorted(p.name for p in (tmp_path / "plots").iterdir())
    names = [
        "airlines",
        "bookings",
        "cache",
        "funnel",
        "look_to_book",
        "price_accuracy",
        "searches",
    ]
    assert plots == [f"{name}.png" for name in names]
    assert bad.returncode == 2
    assert "7d or 24h" in bad.stderr


def test_report_without_a_store_says_where_it_looked_and_fails(tmp_path: Path) -> None:
    # It made an empty store there and printed every report empty, exit 0.
    env = {**os.environ, "SKYFARE_ANALYTICS_DIR": str(tmp_path / "nowhere")}

    reported = _skyfare(env, "report")

    assert reported.returncode == 1
    assert reported.stdout == ""
    assert f"no analytics store in {tmp_path / 'nowhere'}" in reported.stderr
    assert not (tmp_path / "nowhere").exists()


def test_report_of_a_file_that_is_no_store_says_why_and_fails(tmp_path: Path) -> None:
    (tmp_path / DB_FILE).write_bytes(b"not a database")

    reported = _skyfare({**os.environ, "SKYFARE_ANALYTICS_DIR": str(tmp_path)}, "report")

    assert reported.returncode == 1
    assert "Traceback" not in reported.stderr
    assert "busy" not in reported.stderr
    assert "cannot read the analytics store" in reported.stderr
    assert "not a valid DuckDB database file" in reported.stderr


def test_report_with_plots_it_cannot_write_says_where_and_fails(tmp_path: Path) -> None:
    AnalyticsStore(str(tmp_path / "store")).close()
    (tmp_path / "taken").write_text("a file, not a folder")
    env = {**os.environ, "SKYFARE_ANALYTICS_DIR": str(tmp_path / "store")}

    reported = _skyfare(env, "report", "--out", str(tmp_path / "taken"))

    assert reported.returncode == 1
    assert "Traceback" not in reported.stderr
    assert f"cannot write the plots into {tmp_path / 'taken'}" in reported.stderr


def test_report_while_another_process_holds_the_store_says_so_and_fails(tmp_path: Path) -> None:
    # It ended in a traceback (StoreBusy) after its wait.
    AnalyticsStore(str(tmp_path)).close()
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FILE, str(tmp_path / DB_FILE)],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline() == "held\n"
            reported = _skyfare({**os.environ, "SKYFARE_ANALYTICS_DIR": str(tmp_path)}, "report")
        finally:
            holder.kill()

    assert reported.returncode == 1
    assert reported.stdout == ""
    assert "Traceback" not in reported.stderr
    assert "the analytics store is busy" in reported.stderr
    assert str(tmp_path / DB_FILE) in reported.stderr


# The consumer's hold on the file, as another process has it (until killed).
HOLD_THE_FILE = """
import sys, time, duckdb
db = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""
