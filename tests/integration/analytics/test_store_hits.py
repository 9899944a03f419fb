"""A `hits` entry in a real DuckDB file: the rows of its searches are exactly those its hits would
make as entries of their own (but their key, `<entry id>.<n>`, and the entry's position), and
the search's columns reach DuckDB once per entry, not once per hit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from analytics.rows import empty_rows, usage_rows
from analytics.store import AnalyticsStore
from kernel.usage import HitsEvent, encode_usage, expand
from tests.support.analytics import search_event

STREAM = "skyfare:usage"
# A hit's `at` a half microsecond from two neighbours: rounded as `datetime.fromtimestamp` does.
EDGES = (1764853507.0000005, 1764853507.0000015, 1764853507.9999996)


def _hits(count: int) -> HitsEvent:
    search = search_event(3, "get", "hit", ("LHR", "JFK"))
    ats = (*EDGES, *(search.at + n * 0.000137 for n in range(count - len(EDGES))))
    tooks = tuple(n % 5 for n in range(count))
    template = search_event(3, "bulk", "miss", ("LHR", "JFK"))  # a miss: airline calls too
    return HitsEvent(search=template, at=ats, took_ms=tooks)


def _table(store: AnalyticsStore, table: str) -> list[tuple[Any, ...]]:
    return store.query(f"SELECT * EXCLUDE (part) FROM {table} ORDER BY occurred_at, stream_id")[1]


def test_a_hits_entry_loads_the_rows_its_hits_make_alone(tmp_path: Path) -> None:
    hits = _hits(40)
    together, alone = AnalyticsStore(str(tmp_path / "a")), AnalyticsStore(str(tmp_path / "b"))
    rows = empty_rows()
    usage_rows(STREAM, "1764853507449-3", encode_usage(hits), rows)
    together.load(rows, {STREAM: "1764853507449-3"})
    singles = empty_rows()
    for n, search in enumerate(expand(hits)):
        usage_rows(STREAM, f"{1764853500000 + n}-0", encode_usage(search), singles)
    alone.load(singles, {STREAM: "1764853500039-0"})

    for table in ("searches", "connector_calls"):
        loaded, expected = _table(together, table), _table(alone, table)
        assert len(loaded) == len(expected) == 40 * (1 if table == "searches" else 2)
        # Everything but the key and the position (stream_id, ms, seq) is the same.
        assert sorted(r[:1] + r[4:] for r in loaded) == sorted(r[:1] + r[4:] for r in expected)
    keys = {r[1:4] for r in _table(together, "searches")}
    assert keys == {(f"1764853507449-3.{n}", 1764853507449, 3) for n in range(40)}
    days = {dt.date(2026, 12, 1), dt.date(2025, 12, 4)}
    assert {r[5] for r in _table(together, "searches")} == days


class _Counting:
    """The store's real DuckDB connection, counting the values given to its INSERTs."""

    def __init__(self, db: duckdb.DuckDBPyConnection) -> None:
        self.db = db
        self.values = 0

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        if sql.startswith("INSERT") and "positions" not in sql and args:
            self.values += sum(len(p) if isinstance(p, list) else 1 for p in args[0])
        return self.db.execute(sql, *args)


def test_a_search_s_columns_reach_duckdb_once_per_entry_not_once_per_hit(tmp_path: Path) -> None:
    # Each hit was a row of 23 values, and each airline call of it one of 11: DuckDB's Python
    # binding converting them cost the consumer ~21 µs per cached search, on the API's cores.
    store = AnalyticsStore(str(tmp_path))
    rows = empty_rows()
    usage_rows(STREAM, "1764853507449-0", encode_usage(_hits(1000)), rows)
    store.hold()
    counting = _Counting(store.db)
    store._db = counting  # type: ignore[assignment]  # the real connection, observed

    store.load(rows, {STREAM: "1764853507449-0"})

    store._db = counting.db
    assert store.query("SELECT count(*) FROM searches")[1] == [(1000,)]
    assert store.query("SELECT count(*) FROM connector_calls")[1] == [(2000,)]
    # Per hit: its entry, index, `at` and `took_ms`, once per table.
    assert counting.values < 1000 * 9
    store.release()
