"""`AnalyticsStore.load` against a real DuckDB file: a batch's rows arrive exactly as given
(NULLs, decimals of any scale, timestamps to the microsecond), in one statement per table
whatever the batch's size; rows whose key the store holds are skipped (an entry delivered again),
and a batch that fails leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics.rows import Row, empty_rows
from analytics.store import AnalyticsStore

AT = dt.datetime(2026, 12, 4, 13, 5, 7, 123456)


def _search(index: int, amount: Decimal | None, partner: str | None) -> Row:
    entry = f"{1764853507000 + index}-0"
    return ("skyfare:usage", f"{entry}.0", 1764853507000 + index, 0, AT, AT.date(),
        "get", partner, "LHR", "JFK", "LHR-JFK", 1, "2027-01-03", 1, 0, 0, "economy",
        index % 7, amount, "USD", index % 3, "hit", None)  # fmt: skip


def _batch(size: int) -> dict[str, list[Row]]:
    rows = empty_rows()
    amounts = [Decimal("0.10"), Decimal("1.5"), Decimal("9999999999999999.99"), None]
    for index in range(size):
        rows["searches"].append(_search(index, amounts[index % 4], "acme" if index % 5 else None))
    call = ("skyfare:usage", "1764853507000-0.0", 1764853507000, 0, AT, AT.date(),
        "britannia", "ok", 12, 41, "get")  # fmt: skip
    rows["connector_calls"].append(call)
    return rows


class _Counting:
    """The store's real DuckDB connection, counting the INSERTs it is given."""

    def __init__(self, db: duckdb.DuckDBPyConnection) -> None:
        self.db = db
        self.inserts: list[str] = []

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        if sql.startswith("INSERT") and "positions" not in sql:
            words = sql.split()
            self.inserts.append(words[words.index("INTO") + 1])
        return self.db.execute(sql, *args)


def test_a_batch_arrives_exactly_as_given(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    batch = _batch(450)

    store.load(batch, {"skyfare:usage": "1764853507449-0"})

    _, found = store.query("SELECT * EXCLUDE (part) FROM searches ORDER BY ms")
    assert found == batch["searches"]
    _, calls = store.query("SELECT * EXCLUDE (part) FROM connector_calls")
    assert calls == batch["connector_calls"]
    assert store.positions() == {"skyfare:usage": "1764853507449-0"}


def test_a_batch_is_one_insert_per_table_whatever_its_size(tmp_path: Path) -> None:
    # It was one per 200 rows, each binding a parameter per value: ~190 µs of DuckDB's CPU per
    # search, more than answering the search cost the API worker.
    store = AnalyticsStore(str(tmp_path))
    store.hold()
    counting = _Counting(store.db)
    store._db = counting  # type: ignore[assignment]  # the real connection, observed

    store.load(_batch(1000), {"skyfare:usage": "1764853507999-0"})

    assert sorted(counting.inserts) == ["connector_calls", "searches"]
    store._db = counting.db
    assert store.query("SELECT count(*) FROM searches")[1] == [(1000,)]
    store.release()


def test_rows_the_store_holds_are_skipped_and_the_new_ones_loaded(tmp_path: Path) -> None:
    # It raised DuckDB's duplicate-key error, and the consumer died on it
    # (test_consumer_shared_group.py: how a consumer is handed entries its store holds).
    store = AnalyticsStore(str(tmp_path))
    store.load(_batch(3), {"skyfare:usage": "1764853507002-0"})
    again = _batch(5)  # its first three rows are the stored ones

    store.load(again, {"skyfare:usage": "1764853507004-0"})

    _, found = store.query("SELECT * EXCLUDE (part) FROM searches ORDER BY ms")
    assert found == again["searches"]
    assert store.query("SELECT count(*) FROM connector_calls")[1] == [(1,)]
    assert store.positions() == {"skyfare:usage": "1764853507004-0"}


def test_a_batch_that_fails_leaves_nothing(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    store.load(_batch(3), {"skyfare:usage": "1764853507002-0"})
    broken = _batch(5)
    broken["searches"][4] = (None, *broken["searches"][4][1:])  # no stream: a key column NULL

    with pytest.raises(duckdb.ConstraintException):
        store.load(broken, {"skyfare:usage": "1764853507004-0"})

    assert store.query("SELECT count(*) FROM searches")[1] == [(3,)]
    assert store.positions() == {"skyfare:usage": "1764853507002-0"}


_SETTINGS = """
import sys
from analytics.store import AnalyticsStore
store = AnalyticsStore(sys.argv[1])
setting = "SELECT current_setting('enable_progress_bar')"
with store.session(write=True) as db:
    print(db.execute(setting).fetchall()[0][0])
print(store.query(setting)[1][0][0])
"""


def test_the_stores_connections_draw_no_progress_bar_on_stdout(tmp_path: Path) -> None:
    # DuckDB's Python client draws one for any statement past 2 s (a day's Parquet rewritten
    # whole can be): into the consumer's log, and into a benchmark's JSON on stdout. A process
    # of its own: under pytest's captured stdout DuckDB's default is off already.
    done = subprocess.run(
        [sys.executable, "-c", _SETTINGS, str(tmp_path)],
        capture_output=True, check=True, timeout=60, text=True,
    )  # fmt: skip
    assert done.stdout.split() == ["False", "False"]
