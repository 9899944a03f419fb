"""Bulk fares: envelope validation, per-query invalid lines, line encoding, ordered streaming."""

import asyncio
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from kernel.errors import FieldError, ValidationFailed
from search.bulk import (
    BulkLine,
    BulkQuery,
    encode_line,
    fare_line,
    parse_envelope,
    validate_query,
)
from search.bulk_service import ordered_lines
from search.fare_index import CheapestFare, FareIndexError, IndexSlot, InMemoryFareIndex

TODAY = dt.date(2030, 5, 1)
NOW = 1_900_000_000.0
SCOPE = "s"


def query(days: int = 10, **fields: Any) -> dict[str, Any]:
    day = (TODAY + dt.timedelta(days=days)).isoformat()
    return {"origin": "LHR", "destination": "JFK", "departure_date": day, **fields}


def fare(amount: str = "321.00", *, age_s: float = 10.0, offer_id: str = "off_1") -> CheapestFare:
    cached_at = NOW - age_s
    return CheapestFare(Decimal(amount), "USD", offer_id, 7, cached_at, NOW + 60, NOW + 600)


def envelope_errors(body: object) -> set[str]:
    with pytest.raises(ValidationFailed) as failed:
        parse_envelope(msgspec.json.encode(body))
    return {e.field for e in failed.value.errors}


def test_envelope_defaults_to_cached_mode_and_an_hour() -> None:
    envelope = parse_envelope(msgspec.json.encode({"queries": [query()]}))

    assert (envelope.max_age_s, envelope.mode, len(envelope.queries)) == (3600, "cached", 1)


def test_more_than_1000_queries_fail_naming_queries() -> None:
    assert envelope_errors({"queries": [query()] * 1001}) == {"queries"}


def test_empty_missing_or_non_array_queries_fail() -> None:
    assert envelope_errors({"queries": []}) == {"queries"}
    assert envelope_errors({}) == {"queries"}
    assert envelope_errors({"queries": {"a": 1}}) == {"queries"}


def test_bad_envelope_fields_are_each_named() -> None:
    body = {"queries": [query()], "max_age_s": -1, "mode": "eventually", "extra": 1}

    assert envelope_errors(body) == {"max_age_s", "mode", "extra"}


def test_a_body_that_is_not_an_object_is_a_422_naming_the_body() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_envelope(b"[1, 2]")

    assert [e.field for e in caught.value.errors] == ["body"]


def test_a_valid_query_is_normalized() -> None:
    parsed = validate_query(query(origin="lhr", return_date="2030-05-20", adults=2), TODAY)

    assert parsed == BulkQuery(
        "LHR", "JFK", dt.date(2030, 5, 11), dt.date(2030, 5, 20), "economy", 2
    )


def test_a_bad_query_names_each_bad_field() -> None:
    bad = query(destination="ZZZ", departure_date="2030-04-01", adults=0, cabin_class="steerage")

    errors = validate_query(bad, TODAY)

    assert isinstance(errors, tuple)
    fields = {e.field for e in errors}
    assert fields == {"destination", "departure_date", "adults", "cabin_class"}


def test_a_return_before_departure_is_invalid() -> None:
    errors = validate_query(query(days=10, return_date="2030-05-05"), TODAY)

    assert isinstance(errors, tuple)
    assert [e.field for e in errors] == ["return_date"]


def test_an_ok_line_encodes_as_the_api_describes() -> None:
    line = msgspec.json.decode(encode_line(fare_line(3, fare())))

    assert line == {
        "index": 3,
        "status": "ok",
        "cheapest": {"amount": "321.00", "currency": "USD", "offer_id": "off_1"},
        "offers": 7,
        "cached_at": "2030-03-17T17:46:30Z",
    }


def test_a_not_cached_line_carries_only_index_and_status() -> None:
    assert encode_line(BulkLine(index=1, status="not_cached")) == (
        b'{"index":1,"status":"not_cached"}\n'
    )


async def collect(**kwargs: Any) -> list[list[dict[str, Any]]]:
    """Each yielded chunk, as its decoded lines."""
    return [
        [msgspec.json.decode(line) for line in chunk.splitlines()]
        async for chunk in ordered_lines(today=TODAY, now=NOW, scope=SCOPE, **kwargs)
    ]


def distinct(count: int) -> list[dict[str, Any]]:
    return [query(days=1 + n) for n in range(count)]


async def warm(index: InMemoryFareIndex, q: dict[str, Any], f: CheapestFare) -> None:
    parsed = validate_query(q, TODAY)
    assert isinstance(parsed, BulkQuery)
    await index.record(parsed.slot(SCOPE), f)


async def test_lines_come_in_request_order_with_an_invalid_line_in_place() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=3), fare("100.00"))
    await warm(index, query(days=5), fare("200.00"))
    queries = [query(days=5), {"origin": "LHR"}, query(days=4), query(days=3)]

    chunks = await collect(queries=queries, max_age_s=3600, lookup=index.lookup)

    lines = [line for chunk in chunks for line in chunk]
    assert [(line["index"], line["status"]) for line in lines] == [
        (0, "ok"), (1, "invalid"), (2, "not_cached"), (3, "ok"),
    ]  # fmt: skip
    assert [lines[0]["cheapest"]["amount"], lines[3]["cheapest"]["amount"]] == ["200.00", "100.00"]
    assert {e["field"] for e in lines[1]["errors"]} == {"destination", "departure_date"}


async def test_entries_older_than_max_age_are_not_cached() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=3), fare(age_s=120))

    chunks = await collect(queries=[query(days=3)], max_age_s=60, lookup=index.lookup)

    assert chunks == [[{"index": 0, "status": "not_cached"}]]


async def test_the_first_chunk_is_out_before_the_last_chunk_is_looked_up() -> None:
    index = InMemoryFareIndex()
    lookups_at_first_yield: list[int] = []

    lines = ordered_lines(
        distinct(250), today=TODAY, now=NOW, max_age_s=60, scope=SCOPE,
        lookup=index.lookup, chunk=100,
    )  # fmt: skip
    first = await anext(lines)
    lookups_at_first_yield = list(index.lookups)
    rest = [chunk async for chunk in lines]

    assert len(first.splitlines()) == 100
    assert lookups_at_first_yield == [100]
    assert index.lookups == [100, 100, 50]
    assert sum(len(c.splitlines()) for c in rest) == 150


async def test_a_small_first_chunk_leaves_before_the_full_sized_ones_are_looked_up() -> None:
    index = InMemoryFareIndex()

    lines = ordered_lines(
        distinct(250), today=TODAY, now=NOW, max_age_s=60, scope=SCOPE,
        lookup=index.lookup, chunk=100, first_chunk=10,
    )  # fmt: skip
    first = await anext(lines)
    lookups_at_first_yield = list(index.lookups)
    rest = [chunk async for chunk in lines]

    assert len(first.splitlines()) == 10
    assert lookups_at_first_yield == [10]
    assert index.lookups == [10, 100, 100, 40]
    indexes = [
        msgspec.json.decode(line)["index"] for c in [first, *rest] for line in c.splitlines()
    ]
    assert indexes == list(range(250))


async def test_live_mode_searches_the_missing_and_keeps_the_order() -> None:
    index = InMemoryFareIndex()
    await warm(index, query(days=4), fare("150.00"))
    release = asyncio.Event()
    searched: list[dt.date] = []

    async def live(q: BulkQuery) -> tuple[BulkLine, None]:
        searched.append(q.departure_date)
        await release.wait()
        return fare_line(0, fare("99.00", offer_id=f"live_{q.departure_date}")), None

    lines = ordered_lines(
        [query(days=3), query(days=4)], today=TODAY, now=NOW, max_age_s=60, scope=SCOPE,
        lookup=index.lookup, live=live,
    )  # fmt: skip
    pending = asyncio.ensure_future(anext(lines))
    await asyncio.sleep(0)
    assert not pending.done()  # line 1 is ready, but line 0 is still being searched
    release.set()
    first, second = await pending, await anext(lines)

    assert searched == [TODAY + dt.timedelta(days=3)]
    assert msgspec.json.decode(first)["cheapest"]["offer_id"] == f"live_{searched[0]}"
    assert msgspec.json.decode(second)["cheapest"]["amount"] == "150.00"


async def test_an_unavailable_index_gives_error_lines_in_cached_mode() -> None:
    async def broken(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        raise FareIndexError("down")

    chunks = await collect(queries=[query(), 7], max_age_s=60, lookup=broken)

    assert [(line["index"], line["status"]) for line in chunks[0]] == [(0, "error"), (1, "invalid")]


def test_a_non_ascii_airport_code_is_invalid_not_upper_cased_into_a_real_one() -> None:
    errors = validate_query(query(origin="ßa"), TODAY)  # "ßa".upper() is "SSA" (Salvador)

    assert isinstance(errors, tuple)
    assert {e.field for e in errors} == {"origin"}


@pytest.mark.parametrize("bad", [1, "LHR-JFK", None, ["LHR", "JFK"]])
def test_a_query_that_is_not_an_object_names_the_query(bad: object) -> None:
    # The line's `index` says which query; an empty `field` named nothing a client could show.
    assert validate_query(bad, TODAY) == (FieldError("query", "must be an object"),)
