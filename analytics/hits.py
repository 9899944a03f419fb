"""The `hits` entries of a batch into `searches` and `connector_calls`: one statement per table
whatever the number of entries and hits, each search's columns handed to DuckDB once.

A `hits` entry (kernel/usage.py `HitsEvent`) holds one search and, per cached hit, its `at` and
`took_ms`; row `n` of the entry is keyed `<entry id>.<n>`. Given as a row of 23 values per hit,
DuckDB's Python binding converted every value and the consumer spent ~19 µs per cached search,
about what an API worker spent answering it, on the same cores with 2 workers. Here the
statement reads three small tables of list parameters — the entries (`s`: one row each, the
search's columns), the hits (`h`: entry, index, `at`, `took_ms`) and the airline calls (`c`:
entry and the call's columns) — and joins them in DuckDB: ~3.4 µs per hit and ~7 ms per batch
(bench/results/2026-12-04-two-workers.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analytics.parquet import PART
from analytics.rows import POSITION, POSITION_TYPES, TABLES, Row

_SEARCH = TABLES["searches"]
_CALLS = TABLES["connector_calls"][:4]  # the channel is the search's
_ENTRY = (("k", "INTEGER"), ("stream", "VARCHAR"), ("entry", "VARCHAR"),
          ("ms", "BIGINT"), ("seq", "BIGINT"))  # fmt: skip
_HIT = (("k", "INTEGER"), ("i", "BIGINT"), ("unix_s", "DOUBLE"), ("took_ms", "INTEGER"))
# `at` (Unix seconds) as `analytics.rows._utc` makes it, to the same microsecond: whole seconds,
# then the fraction's microseconds rounded half to even, as `datetime.fromtimestamp` does. In
# Python it cost ~1.1 µs per hit, a fifth of the rest of loading it.
_OCCURRED_AT = (
    "make_timestamp(CAST(floor(unix_s) AS BIGINT) * 1000000"
    " + CAST(round_even((unix_s - floor(unix_s)) * 1000000, 0) AS BIGINT))"
)
_CALL = (("k", "INTEGER"), *_CALLS)
# Columns the hit itself gives; the rest of a row is its entry's (`s`) or its call's (`c`).
_PER_HIT = {"stream_id": "s.entry || '.' || h.i", "occurred_at": "h.occurred_at",
            "date": "CAST(h.occurred_at AS DATE)", "took_ms": "h.took_ms"}  # fmt: skip
assert POSITION_TYPES[POSITION.index("occurred_at")] == "TIMESTAMP"


def _unnest(alias: str, fields: Sequence[tuple[str, str]], first: int, extra: str = "") -> str:
    """`(SELECT unnest($n::T[]) AS name, …) AS alias`: list parameters `first`… side by side;
    `extra`: more columns computed from those."""
    parts = [f"unnest(${first + n}::{kind}[]) AS {name}" for n, (name, kind) in enumerate(fields)]
    lists = f"SELECT {', '.join(parts)}"
    return f"(SELECT *, {extra} FROM ({lists})) AS {alias}" if extra else f"({lists}) AS {alias}"


def _insert(table: str, *, ignore: bool) -> str:
    entry = (*_ENTRY, *_SEARCH) if table == "searches" else (*_ENTRY, ("channel", "VARCHAR"))
    names = [*POSITION, *(name for name, _ in TABLES[table])]
    from_call = dict(_CALLS) if table == "connector_calls" else {}
    select = [
        _PER_HIT.get(name, f"c.{name}" if name in from_call else f"s.{name}") for name in names
    ]
    hit = _unnest("h", _HIT, len(entry) + 1, extra=_OCCURRED_AT + " AS occurred_at")
    sources = f"{_unnest('s', entry, 1)} JOIN {hit} USING (k)"
    if table == "connector_calls":
        sources += f" JOIN {_unnest('c', _CALL, len(entry) + len(_HIT) + 1)} USING (k)"
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    # `part`: the open Parquet part, read in the batch's own transaction (analytics/parquet.py).
    select.append("(SELECT open FROM parquet_parts)")
    columns = ", ".join((*names, PART))
    return f"{verb} INTO {table} ({columns}) SELECT {', '.join(select)} FROM {sources}"


INSERTS = {table: _insert(table, ignore=False) for table in ("searches", "connector_calls")}
INSERTS_IGNORING = {table: _insert(table, ignore=True) for table in INSERTS}


def parameters(entries: Sequence[Row]) -> dict[str, list[list[Any]]]:
    """Each statement's list parameters for `entries` (`analytics.rows.hit_row`s); a table
    without rows to insert is left out."""
    stamps: list[Row] = []
    hit_k: list[int] = []
    hit_i: list[int] = []
    at: list[float] = []
    took: list[int] = []
    calls: list[Row] = []
    for k, (stream, entry_id, ms, seq, search, connectors, unix_s, took_ms) in enumerate(entries):
        stamps.append((k, stream, entry_id, ms, seq, *search))
        hit_k += [k] * len(unix_s)
        hit_i += range(len(unix_s))
        at += unix_s
        took += took_ms
        calls += [(k, *call) for call in connectors]
    if not hit_k:
        return {}
    hits: list[list[Any]] = [hit_k, hit_i, at, took]
    found = {"searches": [*map(list, zip(*stamps, strict=True)), *hits]}
    if calls:
        channel = len(_ENTRY)  # the search's first column
        entry_cols = [[stamp[n] for stamp in stamps] for n in range(channel + 1)]
        found["connector_calls"] = [*entry_cols, *hits, *map(list, zip(*calls, strict=True))]
    return found
