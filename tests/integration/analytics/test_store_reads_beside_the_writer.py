"""Reports read in the consumer's own process (`skyfare analytics` serves them): DuckDB refuses
a read-only connection to a file the process holds for writing, and then the writer's own open
after such a reader's, so `in_writer_process` readers open it as the writer does and share its
open database: they see each committed batch, never wait for the writer's hold, and never stop
the writer from holding the file again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from analytics.rows import Row, empty_rows
from analytics.store import AnalyticsStore

AT = dt.datetime(2026, 12, 4, 13, 5, 7)
COUNT = "SELECT count(*) FROM breakers"


def _batch(first: int, size: int) -> tuple[dict[str, list[Row]], dict[str, str]]:
    rows = empty_rows()
    for n in range(first, first + size):
        rows["breakers"].append(("skyfare:usage", f"{n}-0", n, 0, AT, AT.date(), f"c{n}", "open"))
    return rows, {"skyfare:usage": f"{first + size - 1}-0"}


def _count(store: AnalyticsStore) -> int:
    _, rows = store.query(COUNT)
    return int(rows[0][0])


def test_a_reader_in_the_writers_process_shares_its_open_file(tmp_path: Path) -> None:
    writer = AnalyticsStore(str(tmp_path))
    reader = AnalyticsStore(str(tmp_path), read_only=True, in_writer_process=True, lock_wait_s=0)
    writer.hold()  # the consumer, busy
    try:
        writer.load(*_batch(1, 3))
        seen_while_held = _count(reader)
        writer.release()  # idle: let go
        with reader.session():  # a report running when the consumer gets busy again
            writer.hold()
            writer.load(*_batch(4, 2))
            seen_after = _count(reader)
    finally:
        writer.close()
    assert (seen_while_held, seen_after) == (3, 5)


def test_a_read_only_reader_in_the_writers_process_is_refused(tmp_path: Path) -> None:
    # Why the flag exists: the reports read so in the consumer's process failed, whatever the
    # wait, and a report open when the consumer's next batch came killed the consumer.
    writer = AnalyticsStore(str(tmp_path))
    reader = AnalyticsStore(str(tmp_path), read_only=True, lock_wait_s=0)
    writer.hold()
    try:
        with pytest.raises(duckdb.ConnectionException, match="different configuration"):
            reader.query(COUNT)
    finally:
        writer.close()
