"""Bulk fares, issue 18's first and last line: a small first chunk, then chunks of `REST_CHUNK`,
each one lookup of its new queries; the usage events of the lines recorded once they were handed on,
one call per answer; an index failing under one chunk costs that chunk's lines only."""

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec
import pytest

from kernel.http import has_escaped_nul
from kernel.usage import CacheOutcome, HitStamp
from search.bulk import MAX_QUERIES, BulkLine, BulkQuery, encode_line, indexed, line_tail
from search.bulk_service import FIRST_CHUNK, REST_CHUNK, ordered_lines
from search.fare_index import CheapestFare, FareIndexError, IndexSlot, InMemoryFareIndex
from tests.unit.search.test_bulk import NOW, SCOPE, TODAY, fare, query, warm


class Calls:
    """A `BulkUsage` keeping each call: (departure day, outcome) stamped, (day, count) emitted."""

    def __init__(self) -> None:
        self.stamped: list[tuple[str, CacheOutcome]] = []
        self.emitted: list[tuple[str, int]] = []

    def stamp(self, q: BulkQuery, f: CheapestFare | None, cache: CacheOutcome) -> HitStamp:
        self.stamped.append((q.departure_date.isoformat(), cache))
        return (q.departure_date.isoformat().encode(), b"", b"")

    def invalid(self) -> HitStamp:
        self.stamped.append(("", "invalid"))
        return (b"", b"", b"")

    def emit(self, stamp: HitStamp, count: int) -> None:
        self.emitted.append((stamp[0].decode(), count))


def batch(distinct: int, size: int) -> list[dict[str, Any]]:
    """`size` queries cycling through `distinct` departure days: repeats, as partners send."""
    return [query(days=1 + n % distinct) for n in range(size)]


def lines_of(**kwargs: Any) -> Any:
    """The lines as `BulkFares` asks for them: a first chunk, then `REST_CHUNK` at a time."""
    return ordered_lines(
        today=TODAY, now=NOW, max_age_s=60, scope=SCOPE, chunk=REST_CHUNK,
        first_chunk=FIRST_CHUNK, **kwargs,
    )  # fmt: skip


async def test_after_the_first_chunk_each_chunk_looks_up_only_its_new_queries() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=1), fare("100.00"))
    queries = batch(100, MAX_QUERIES)

    chunks = [c async for c in lines_of(queries=queries, lookup=index.lookup)]

    # Each distinct query once: the first chunk's 10, the second chunk's other 90; the later
    # chunks hold only repeats, answered without a lookup.
    assert index.lookups == [FIRST_CHUNK, 100 - FIRST_CHUNK]
    sizes = [FIRST_CHUNK, REST_CHUNK, REST_CHUNK, REST_CHUNK, 240]
    assert [len(c.splitlines()) for c in chunks] == sizes
    lines = [msgspec.json.decode(line) for c in chunks for line in c.splitlines()]
    assert [line["index"] for line in lines] == list(range(MAX_QUERIES))
    assert [line["status"] for line in lines[:3]] == ["ok", "not_cached", "not_cached"]
    assert {line["cheapest"]["amount"] for line in lines[::100]} == {"100.00"}


async def test_the_first_chunk_leaves_before_any_usage_event_is_stamped() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=1), fare())
    usage = Calls()
    lines = lines_of(queries=batch(3, 30), lookup=index.lookup, usage=usage)

    first = await anext(lines)
    assert len(first.splitlines()) == FIRST_CHUNK
    assert usage.stamped == usage.emitted == []
    rest = [c async for c in lines]

    assert len(rest) == 1
    days = [(TODAY + dt.timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    assert usage.stamped == [(days[0], "hit"), (days[1], "miss"), (days[2], "miss")]
    # One call per answer for the lines sent, in the order each first comes, however many
    # chunks they came in (one per answer per chunk cost a fifth more CPU with chunks of 250).
    assert usage.emitted == [(days[0], 10), (days[1], 10), (days[2], 10)]


async def test_a_batch_abandoned_at_its_first_chunk_records_that_chunk_only() -> None:
    usage = Calls()
    lines = lines_of(queries=batch(3, 30), lookup=InMemoryFareIndex().lookup, usage=usage)

    await anext(lines)
    await lines.aclose()  # the write failed: the partner went away

    assert sum(count for _, count in usage.emitted) == FIRST_CHUNK


def failing_at(call: int, index: InMemoryFareIndex) -> Any:
    """`index.lookup`, but its `call`-th call (from 1) fails as a Redis stall makes it."""
    calls = 0

    async def lookup(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        nonlocal calls
        calls += 1
        if calls == call:
            raise FareIndexError("redis HGET failed: TimeoutError")
        return await index.lookup(slots)

    return lookup


async def test_an_index_failing_under_one_chunk_costs_that_chunk_only() -> None:
    # The rest of the batch used to be one chunk: one stall made every line after the first
    # 10 an `error`.
    index = InMemoryFareIndex()
    for days in (1, 15, 300):
        await warm(index, query(days=days), fare())
    queries: list[Any] = [query(days=1 + n) for n in range(360)]  # 3 chunks, no repeats
    queries[25] = {"origin": "LHR"}

    chunks = [c async for c in lines_of(queries=queries, lookup=failing_at(2, index))]

    lines = [msgspec.json.decode(line) for c in chunks for line in c.splitlines()]
    assert [line["index"] for line in lines] == list(range(len(queries)))
    failed = range(FIRST_CHUNK, FIRST_CHUNK + REST_CHUNK)  # the second chunk's
    assert [line["status"] for line in lines[:2]] == ["ok", "not_cached"]
    assert lines[25]["status"] == "invalid"
    assert {lines[n]["status"] for n in failed if n != 25} == {"error"}
    assert lines[299]["status"] == "ok"  # the next chunk's lookup worked
    assert {line["status"] for line in lines[failed.stop :]} == {"ok", "not_cached"}


async def test_a_repeat_of_a_query_whose_lookup_failed_is_looked_up_again_in_its_chunk() -> None:
    # A partner reads each line on its own: a repeat after the stall is answered from the
    # cache like any other line, not with its first occurrence's `error`. A repeat of a query
    # answered before the stall keeps its answer, one inside the failed chunk shares its error.
    index = InMemoryFareIndex()
    await warm(index, query(days=1), fare())
    await warm(index, query(days=20), fare("99.00"))
    queries = batch(40, 300)  # days 1…40, again and again
    lines = ordered_lines(
        queries, today=TODAY, now=NOW, max_age_s=60, scope=SCOPE, lookup=failing_at(2, index),
        first_chunk=10, chunk=100,
    )  # fmt: skip

    status = [msgspec.json.decode(line)["status"] async for c in lines for line in c.splitlines()]

    assert status[19] == status[59] == "error"  # day 20 in the failed chunk (10…109), twice
    assert status[40] == "ok"  # day 1, answered by the first chunk
    assert status[139] == "ok"  # day 20 again, in the next chunk
    assert index.lookups == [FIRST_CHUNK, 40 - FIRST_CHUNK]  # looked up again once


@pytest.mark.parametrize("index", [0, MAX_QUERIES - 1, MAX_QUERIES, 123_456])
def test_a_line_index_makes_the_same_bytes_beyond_the_pre_encoded_heads(index: int) -> None:
    line = BulkLine(index=0, status="not_cached")
    assert indexed(index, line_tail(line)) == encode_line(
        msgspec.structs.replace(line, index=index)
    )


@pytest.mark.parametrize(
    ("body", "nul"),
    [
        (rb'{"a": "x\u0000"}', True),
        (rb'{"a": "x\n\t\"y\\"}', False),  # escapes, none a NUL
        (rb'{"a": "x\\u0000"}', False),  # an escaped backslash, then "u0000"
        (b'{"a": "x"}', False),
    ],
)
def test_a_nul_is_found_only_where_escaped(body: bytes, nul: bool) -> None:
    assert has_escaped_nul(body) is nul


async def test_the_events_of_the_lines_sent_are_recorded_before_waiting_for_a_live_search() -> None:
    # Recorded once per answer for the whole batch, but not held while a live search runs (it
    # may take seconds, and the process may die meanwhile).
    index = InMemoryFareIndex()
    await warm(index, query(days=1), fare())
    usage = Calls()
    release = asyncio.Event()

    async def live(q: BulkQuery) -> tuple[BulkLine, HitStamp | None]:
        await release.wait()
        return BulkLine(index=0, status="not_cached"), None

    lines = lines_of(
        queries=[query(days=1), query(days=2)], lookup=index.lookup, live=live, usage=usage
    )
    assert len((await anext(lines)).splitlines()) == 1  # the cached line; the other searches
    searched = asyncio.ensure_future(anext(lines))
    await asyncio.sleep(0)  # the generator runs up to its wait for the search

    assert usage.emitted == [(query(days=1)["departure_date"], 1)]
    release.set()
    assert (await searched).count(b"\n") == 1
    await lines.aclose()
