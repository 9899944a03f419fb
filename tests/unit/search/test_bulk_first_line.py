"""Bulk fares, issue 18's first and last line: a small first chunk, then the rest of the batch in
one lookup; the usage events of a chunk recorded once it was handed on, one call per answer."""

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

    def emit(self, stamp: HitStamp, count: int) -> None:
        self.emitted.append((stamp[0].decode(), count))


def batch(distinct: int, size: int) -> list[dict[str, Any]]:
    """`size` queries cycling through `distinct` departure days: repeats, as partners send."""
    return [query(days=1 + n % distinct) for n in range(size)]


def lines_of(**kwargs: Any) -> Any:
    """The lines as `BulkFares` asks for them: a first chunk, then the rest at once."""
    return ordered_lines(
        today=TODAY, now=NOW, max_age_s=60, scope=SCOPE, chunk=REST_CHUNK,
        first_chunk=FIRST_CHUNK, **kwargs,
    )  # fmt: skip


async def test_after_the_first_chunk_the_rest_of_the_batch_is_one_lookup_and_one_chunk() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=1), fare("100.00"))
    queries = batch(100, MAX_QUERIES)

    chunks = [c async for c in lines_of(queries=queries, lookup=index.lookup)]

    assert index.lookups == [FIRST_CHUNK, 100 - FIRST_CHUNK]  # each distinct query once
    assert [len(c.splitlines()) for c in chunks] == [FIRST_CHUNK, MAX_QUERIES - FIRST_CHUNK]
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
    # One call per answer per chunk, in the order each first comes: 10 lines (4, 3, 3), then
    # the other 20 (from index 10, whose answer is the second day's).
    assert usage.emitted == [
        (days[0], 4), (days[1], 3), (days[2], 3), (days[1], 7), (days[2], 7), (days[0], 6),
    ]  # fmt: skip


async def test_a_batch_abandoned_at_its_first_chunk_records_that_chunk_only() -> None:
    usage = Calls()
    lines = lines_of(queries=batch(3, 30), lookup=InMemoryFareIndex().lookup, usage=usage)

    await anext(lines)
    await lines.aclose()  # the write failed: the partner went away

    assert sum(count for _, count in usage.emitted) == FIRST_CHUNK


async def test_an_index_failing_after_the_first_chunk_answers_the_rest_with_error_lines() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=1), fare())
    calls = 0

    async def fails_second(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise FareIndexError("down")
        return await index.lookup(slots)

    queries: list[Any] = batch(20, 40)
    queries[25] = {"origin": "LHR"}
    chunks = [c async for c in lines_of(queries=queries, lookup=fails_second)]

    lines = [msgspec.json.decode(line) for c in chunks for line in c.splitlines()]
    assert [line["index"] for line in lines] == list(range(40))
    assert [line["status"] for line in lines[:2]] == ["ok", "not_cached"]
    assert lines[20]["status"] == "ok"  # a repeat of a query the first chunk answered
    assert lines[25]["status"] == "invalid"
    assert {line["status"] for n, line in enumerate(lines[10:], 10) if n % 20 >= 10} == {"error"}


def failing_at(call: int, index: InMemoryFareIndex) -> Any:
    """`index.lookup`, but its `call`-th call (from 1) fails as a Redis stall makes it."""
    calls = 0

    async def lookup(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        nonlocal calls
        calls += 1
        if calls == call:
            raise FareIndexError("redis HGET failed: TimeoutError()")
        return await index.lookup(slots)

    return lookup


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
