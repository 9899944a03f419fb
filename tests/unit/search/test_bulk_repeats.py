"""Bulk fares: a query repeated in a batch is answered once and each of its lines in place."""

import asyncio
import datetime as dt
from typing import Any

import msgspec
import pytest

from kernel.usage import CacheOutcome, HitStamp
from search.bulk import BulkLine, BulkQuery, encode_line, fare_line, indexed, line_tail, query_key
from search.bulk_service import ordered_lines
from search.fare_index import CheapestFare, InMemoryFareIndex
from tests.unit.search.test_bulk import NOW, SCOPE, TODAY, collect, fare, query, warm


class RecordedUsage:
    """A `BulkUsage` that keeps what it was told."""

    def __init__(self) -> None:
        self.stamped: list[tuple[str, CacheOutcome]] = []
        self.emitted: list[HitStamp] = []

    def stamp(self, q: BulkQuery, f: CheapestFare | None, cache: CacheOutcome) -> HitStamp:
        self.stamped.append((q.departure_date.isoformat(), cache))
        return (q.departure_date.isoformat().encode(), cache.encode(), b"")

    def invalid(self) -> HitStamp:
        self.stamped.append(("", "invalid"))
        return (b"", b"invalid", b"")

    def emit(self, stamp: HitStamp, count: int) -> None:
        self.emitted += [stamp] * count


@pytest.mark.parametrize(
    "line",
    [
        fare_line(0, fare()),
        BulkLine(index=0, status="not_cached"),
        BulkLine(index=0, status="error", detail="the fare index is unavailable"),
    ],
)
@pytest.mark.parametrize("index", [0, 7, 999])
def test_a_line_tail_makes_the_same_bytes_as_encoding_the_line(line: BulkLine, index: int) -> None:
    assert indexed(index, line_tail(line)) == encode_line(
        msgspec.structs.replace(line, index=index)
    )


async def test_a_repeated_query_is_looked_up_once_and_answered_on_each_of_its_lines() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=3), fare("100.00"))
    queries = [query(days=3), query(days=4), query(days=3), {"origin": "LHR"}, query(days=3)]
    queries += [query(days=4), {"origin": "LHR"}]

    chunks = await collect(queries=queries, max_age_s=3600, lookup=index.lookup, chunk=3)

    lines = [line for chunk in chunks for line in chunk]
    assert [(line["index"], line["status"]) for line in lines] == [
        (0, "ok"), (1, "not_cached"), (2, "ok"), (3, "invalid"), (4, "ok"), (5, "not_cached"),
        (6, "invalid"),
    ]  # fmt: skip
    assert lines[0]["cheapest"] == lines[2]["cheapest"] == lines[4]["cheapest"]
    assert lines[3]["errors"] == lines[6]["errors"]
    assert index.lookups == [2]  # the later chunks held only queries answered already


async def test_values_equal_in_python_but_not_in_json_are_each_validated() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=3), fare())
    queries = [query(days=3, adults=1), query(days=3, adults=True), query(days=3, adults=1.0)]

    chunks = await collect(queries=queries, max_age_s=3600, lookup=index.lookup)

    assert [line["status"] for line in chunks[0]] == ["ok", "invalid", "invalid"]


def test_only_plain_objects_of_strings_integers_and_nulls_have_a_key() -> None:
    assert query_key({"origin": "LHR", "adults": 2, "return_date": None}) is not None
    assert query_key({"origin": "LHR", "adults": True}) is None
    assert query_key({"origin": "LHR", "adults": 1.0}) is None
    assert query_key({"origin": ["LHR"]}) is None
    assert query_key(["LHR"]) is None
    assert query_key({"adults": 1}) != query_key({"adults": "1"})


async def test_each_query_emits_its_event_and_each_distinct_answer_is_stamped_once() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=3), fare())
    usage = RecordedUsage()
    queries = [query(days=3), query(days=4), query(days=3), {"origin": "LHR"}, query(days=4)]

    await collect(queries=queries, max_age_s=3600, lookup=index.lookup, usage=usage, chunk=2)

    day3, day4 = (TODAY + dt.timedelta(days=n) for n in (3, 4))
    # The invalid query is usage too: its own event (kernel/usage.py `CacheOutcome`).
    assert usage.stamped == [(day3.isoformat(), "hit"), (day4.isoformat(), "miss"),
                             ("", "invalid")]  # fmt: skip
    assert [s[0].decode() for s in usage.emitted] == [
        day3.isoformat(), day3.isoformat(), day4.isoformat(), day4.isoformat(), "",
    ]  # fmt: skip


async def test_an_abandoned_batch_records_only_the_lines_it_sent() -> None:
    index = InMemoryFareIndex()
    usage = RecordedUsage()
    lines = ordered_lines(
        [query(days=1 + n) for n in range(30)], today=TODAY, now=NOW, max_age_s=60,
        scope=SCOPE, lookup=index.lookup, usage=usage, chunk=10,
    )  # fmt: skip

    first = await anext(lines)
    await lines.aclose()

    assert len(first.splitlines()) == len(usage.emitted) == 10


async def test_a_repeated_missing_query_is_searched_live_once() -> None:
    index = InMemoryFareIndex()
    searched: list[dt.date] = []
    release = asyncio.Event()

    async def live(q: BulkQuery) -> tuple[BulkLine, HitStamp]:
        searched.append(q.departure_date)
        await release.wait()
        return fare_line(0, fare("99.00")), (b"live", b"", b"")

    usage = RecordedUsage()
    lines = ordered_lines(
        [query(days=3), query(days=5), query(days=3)], today=TODAY, now=NOW, max_age_s=60,
        scope=SCOPE, lookup=index.lookup, live=live, usage=usage, chunk=1,
    )  # fmt: skip
    pending = asyncio.ensure_future(_all(lines))
    await asyncio.sleep(0)
    release.set()
    decoded = [msgspec.json.decode(line) for chunk in await pending for line in chunk.splitlines()]

    assert searched == [TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=5)]
    assert [(line["index"], line["cheapest"]["amount"]) for line in decoded] == [
        (0, "99.00"), (1, "99.00"), (2, "99.00"),
    ]  # fmt: skip
    assert usage.emitted == [(b"live", b"", b"")] * 3


async def _all(lines: Any) -> list[bytes]:
    return [chunk async for chunk in lines]


async def test_a_repeat_after_a_live_search_ended_in_an_error_is_searched_again() -> None:
    # The error line of a live search that had ended (one no airline could be asked for fails
    # at once, within the next chunk's lookup) used to answer every later repeat of its query.
    index = InMemoryFareIndex()
    searched: list[dt.date] = []
    first_ended = asyncio.Event()

    async def live(q: BulkQuery) -> tuple[BulkLine, HitStamp | None]:
        searched.append(q.departure_date)
        if len(searched) == 1:
            first_ended.set()
            return BulkLine(index=0, status="error", detail="no airline could be asked"), None
        return fare_line(0, fare("99.00")), (b"live", b"", b"")

    async def lookup(slots: Any) -> list[CheapestFare | None]:
        if index.lookups:  # a later chunk's Redis round trip, during which the first search ends
            await first_ended.wait()
        return await index.lookup(slots)

    lines = ordered_lines(
        [query(days=3), query(days=5), query(days=3), query(days=5)], today=TODAY, now=NOW,
        max_age_s=60, scope=SCOPE, lookup=lookup, live=live, chunk=1,
    )  # fmt: skip
    decoded = [
        msgspec.json.decode(line) for chunk in await _all(lines) for line in chunk.splitlines()
    ]

    day3, day5 = (TODAY + dt.timedelta(days=n) for n in (3, 5))
    assert searched == [day3, day5, day3]  # day 5's answer held, day 3's error did not
    assert [(line["index"], line["status"]) for line in decoded] == [
        (0, "error"), (1, "ok"), (2, "ok"), (3, "ok"),
    ]  # fmt: skip
    assert decoded[2]["cheapest"]["amount"] == "99.00"
