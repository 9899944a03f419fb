"""Bulk fares' usage events say what each line was: a line that ended in `error` is recorded as
`cache: "error"` (an analyst counting misses counts partner demand the cache could not meet,
not the moments the index or the airlines failed), and an `invalid` line as `cache: "invalid"`
(the partner sent it: usage, though no search)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from connectors import errors
from connectors.resilience import ResiliencePolicy, ResilientConnector
from kernel.usage import SearchEvent
from search.bulk import parse_envelope
from search.bulk_service import BulkFares
from search.fare_index import CheapestFare, FareIndexError, IndexSlot, InMemoryFareIndex
from search.service import SearchService
from search.usage import SearchUsage
from tests.fakes import FakeConnector, offer, segment
from tests.unit.analytics.test_search_usage import ListSink
from tests.unit.search.test_bulk import TODAY, collect, query
from tests.unit.search.test_bulk_repeats import RecordedUsage


async def _broken(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
    raise FareIndexError("down")


async def test_a_query_the_fare_index_could_not_answer_is_recorded_as_an_error() -> None:
    usage = RecordedUsage()

    chunks = await collect(
        queries=[query(days=3), query(days=3)], max_age_s=3600, lookup=_broken, usage=usage
    )

    assert [line["status"] for line in chunks[0]] == ["error", "error"]
    day3 = (TODAY + dt.timedelta(days=3)).isoformat()
    assert usage.stamped == [(day3, "error")]
    assert len(usage.emitted) == 2


async def test_a_query_not_in_a_working_index_is_still_a_miss() -> None:
    usage = RecordedUsage()

    await collect(queries=[query(days=3)], max_age_s=3600, lookup=InMemoryFareIndex().lookup,
                  usage=usage)  # fmt: skip

    assert usage.stamped == [((TODAY + dt.timedelta(days=3)).isoformat(), "miss")]


async def test_invalid_queries_are_recorded_as_invalid_once_per_query() -> None:
    usage = RecordedUsage()
    bad = query(days=3, origin="XXX")

    chunks = await collect(
        queries=[bad, query(days=3), bad, 42, "LHR"], max_age_s=3600,
        lookup=InMemoryFareIndex().lookup, usage=usage,
    )  # fmt: skip

    assert [line["status"] for line in chunks[0]] == [
        "invalid", "not_cached", "invalid", "invalid", "invalid",
    ]  # fmt: skip
    day3 = (TODAY + dt.timedelta(days=3)).isoformat()
    # One stamp per distinct answer (the repeated query's is shared), an event per query.
    assert sorted(usage.stamped) == [("", "invalid")] * 3 + [(day3, "miss")]
    assert sorted(stamp[1] for stamp in usage.emitted) == [b"invalid"] * 4 + [b"miss"]


async def test_a_bulk_invalid_event_names_the_partner_and_nothing_the_query_said() -> None:
    sink = ListSink()
    service = SearchService([], default_deadline_ms=2000, usage=SearchUsage(sink))
    envelope = parse_envelope(
        msgspec.json.encode({"queries": [query(days=3, origin="XXX"), {"origin": "<script>"}]})
    )

    lines = [
        msgspec.json.decode(line)
        async for chunk in BulkFares(service, partner="acme").lines(envelope, today=TODAY)
        for line in chunk.splitlines()
    ]

    assert [line["status"] for line in lines] == ["invalid", "invalid"]
    events = [e for e in sink.events if isinstance(e, SearchEvent)]
    assert [(e.channel, e.partner, e.cache, e.slices, e.offers) for e in events] == [
        ("bulk", "acme", "invalid", (), 0)
    ] * 2


def _service(fake: FakeConnector, sink: ListSink) -> SearchService:
    # One failure opens the breaker: the next search finds no airline it may ask (a 503).
    policy = ResiliencePolicy(retries=0, min_calls=1, open_s=600)
    return SearchService(
        [ResilientConnector(fake, policy)],
        default_deadline_ms=2000,
        usage=SearchUsage(sink),
    )


async def _live_batch(service: SearchService, days: Sequence[int]) -> list[dict[str, object]]:
    envelope = parse_envelope(
        msgspec.json.encode({"queries": [query(days=d) for d in days], "mode": "live"})
    )
    bulk = BulkFares(service, concurrency=1, partner="acme")
    return [
        msgspec.json.decode(line)
        async for chunk in bulk.lines(envelope, today=TODAY)
        for line in chunk.splitlines()
    ]


async def test_live_searches_that_failed_are_recorded_as_errors() -> None:
    sink = ListSink()
    fake = FakeConnector("bk-down", fail_with=errors.ConnectorUnavailable("HTTP 503"))

    lines = await _live_batch(_service(fake, sink), [3, 4])

    # Day 3: the airline failed (no airline answered); day 4: its breaker refused (a 503).
    assert [(line["status"], line["detail"]) for line in lines] == [
        ("error", "no airline answered in time"),
        ("error", "no airline could be asked: bk-down circuit_open"),
    ]
    events = [e for e in sink.events if isinstance(e, SearchEvent)]
    assert sorted((e.slices[0].departure_date, e.cache) for e in events) == [
        ((TODAY + dt.timedelta(days=3)).isoformat(), "error"),
        ((TODAY + dt.timedelta(days=4)).isoformat(), "error"),
    ]
    assert {(e.channel, e.partner, e.offers, e.cheapest_amount) for e in events} == {
        ("bulk", "acme", 0, None)
    }


async def test_a_live_search_that_found_a_fare_is_still_a_miss() -> None:
    sink = ListSink()
    fake = FakeConnector("bk-up", offers=[offer("321.00", segment("BA117"), source="bk-up")])

    lines = await _live_batch(_service(fake, sink), [3])

    assert lines[0]["status"] == "ok"
    assert [(e.cache, e.cheapest_amount) for e in sink.events if isinstance(e, SearchEvent)] == [
        ("miss", "321.00")
    ]
