"""Rows for the Parquet export tests, what a reader of the folders finds, and a process that
loads and exports into a store and kills itself (SIGKILL) at a named point of the export:

    python -m tests.support.parquet_export DIRECTORY POINT FIRST COUNT DAY TODAY

POINT: `close` (the open part's files written, the part not yet closed) or `discard` (a
compaction's new folder swapped in, the old one not yet deleted); COUNT rows from FIRST on, on
DAY (ISO), exported as of TODAY (ISO)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from analytics.parquet import ParquetFolders
from analytics.rows import Row, empty_rows
from analytics.store import AnalyticsStore

STREAM = "skyfare:usage"
BASE_MS = 1764853507000


def searches(first: int, count: int, day: dt.date) -> dict[str, list[Row]]:
    """`count` search rows on `day`, entries `first`… (one row each, keyed by it)."""
    rows = empty_rows()
    at = dt.datetime.combine(day, dt.time(12))
    for index in range(first, first + count):
        ms = BASE_MS + index
        search = ("get", None, "LHR", "JFK", "LHR-JFK", 1, "2027-01-03", 1, 0, 0, "economy", 3,
                  None, "USD", 5, "hit", None)  # fmt: skip
        rows["searches"].append((STREAM, f"{ms}-0.0", ms, 0, at, day, *search))
    return rows


def load(store: AnalyticsStore, first: int, count: int, day: dt.date) -> None:
    store.load(searches(first, count, day), {STREAM: f"{BASE_MS + first + count - 1}-0"})


def with_parts(directory: Path, parts: int, day: dt.date) -> AnalyticsStore:
    """A store in `directory` whose `day` has `parts` parts of 10 rows, each its own export."""
    store = AnalyticsStore(str(directory))
    store.hold()  # as the busy consumer does: the file opened once, not per load and export
    for n in range(parts):
        load(store, n * 10, 10, day)
        store.export(day)
    store.release()
    return store


def exported_ids(directory: Path) -> list[str]:
    """Every search row's `stream_id` in the Parquet folders, as a reader globbing them finds."""
    glob = str(directory / "parquet" / "searches" / "*" / "*" / "*" / "*.parquet")
    if not list((directory / "parquet" / "searches").glob("*/*/*/*.parquet")):
        return []
    with duckdb.connect() as db:
        found = db.execute(f"SELECT stream_id FROM read_parquet('{glob}')").fetchall()
    return sorted(stream_id for (stream_id,) in found)


def loaded_ids(store: AnalyticsStore) -> list[str]:
    return sorted(stream_id for (stream_id,) in store.query("SELECT stream_id FROM searches")[1])


def day_files(directory: Path, day: dt.date) -> list[str]:
    folder = directory / "parquet" / "searches" / f"year={day.year}"
    folder = folder / f"month={day.month:02d}" / f"day={day.day:02d}"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def killed_export(
    directory: Path, point: str, first: int, count: int, day: dt.date, today: dt.date
) -> int:
    """This module's process run to its kill; its exit code."""
    args = [str(directory), point, str(first), str(count), day.isoformat(), today.isoformat()]
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.parquet_export", *args], check=False, timeout=60
    )
    return done.returncode


class Killing(ParquetFolders):
    """The real folders, the process killed at `point`."""

    def __init__(self, directory: str, point: str) -> None:
        super().__init__(directory)
        self._point = point

    def _close(self, db: duckdb.DuckDBPyConnection, part: int) -> None:
        if self._point == "close":
            os.kill(os.getpid(), signal.SIGKILL)
        super()._close(db, part)

    def _discard(self, swapped_out: str) -> None:
        if self._point == "discard":
            os.kill(os.getpid(), signal.SIGKILL)
        super()._discard(swapped_out)


def main() -> None:
    directory, point, first, count, day, today = sys.argv[1:]
    store = AnalyticsStore(directory)
    store.parquet = Killing(directory, point)
    if int(count):
        load(store, int(first), int(count), dt.date.fromisoformat(day))
    store.export(dt.date.fromisoformat(today))
    sys.exit(3)  # not killed: the point was never reached


if __name__ == "__main__":
    main()
