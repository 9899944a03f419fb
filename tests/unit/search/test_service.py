"""Offer re-pricing, streamed searches and the JSON the service's types encode to."""

import datetime as dt
import itertools
import math
from typing import Any

import msgspec
import pytest

from connectors import errors, offer_ids
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from kernel.errors import DomainError, Gone, NotFound, ServiceUnavailable
from search.model import ROUTE_NOT_SERVED, SearchRequest
from search.service import SearchService
from tests.fakes import A_DAY_MS, HUNG_DEADLINE_MS, FakeConnector, offer, segment

_ids = itertools.count()


def airline(**fake: Any) -> FakeConnector:
    name = f"svc-{next(_ids)}"
    fake.setdefault("offers", [offer("500.00", segment("BA117"), source=name)])
    return FakeConnector(name, **fake)


def service(
    *fakes: FakeConnector, policy: ResiliencePolicy | None = None, deadline_ms: int = A_DAY_MS
) -> SearchService:
    connectors = [ResilientConnector(f, policy or ResiliencePolicy(retries=0)) for f in fakes]
    return SearchService(connectors, default_deadline_ms=deadline_ms)


def request(**fields: Any) -> SearchRequest:
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 5, 1)),), passengers=Passengers(), **fields
    )


async def lines(svc: SearchService, **fields: Any) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) async for line in svc.stream(request(**fields))]


async def test_get_offer_reprices_with_the_airline_of_the_offer() -> None:
    other, seller = airline(), airline()
    wanted = seller.offers[0]

    priced = await service(other, seller).get_offer(wanted.id)

    assert priced.id == wanted.id
    assert priced.total_amount == wanted.total_amount
    assert priced.price_changed is False
    assert (other.calls.get("price"), seller.calls.get("price")) == (None, 1)


@pytest.mark.parametrize(
    "offer_id", ["garbage", "off_!!!", offer_ids.encode("unknown-airline", "F1"), "off_"]
)
async def test_get_offer_of_an_id_we_did_not_issue_is_not_found(offer_id: str) -> None:
    with pytest.raises(NotFound):
        await service(airline()).get_offer(offer_id)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (errors.OfferNotFound("gone from the airline"), NotFound),
        (errors.OfferExpired("too late"), Gone),
        (errors.SoldOut("no seats"), Gone),
        (errors.ConnectorTimeout("slow"), ServiceUnavailable),
        (errors.ConnectorUnavailable("HTTP 503"), ServiceUnavailable),
    ],
)
async def test_get_offer_maps_airline_failures_to_problems(
    failure: Exception, expected: type[DomainError]
) -> None:
    fake = airline(fail_with=failure)

    with pytest.raises(expected):
        await service(fake).get_offer(fake.offers[0].id)


async def test_get_offer_is_unavailable_while_the_circuit_is_open() -> None:
    fake = airline(fail_with=errors.ConnectorUnavailable("down"))
    svc = service(fake, policy=ResiliencePolicy(retries=0, min_calls=1, open_s=60))
    with pytest.raises(ServiceUnavailable):
        await svc.get_offer(fake.offers[0].id)

    with pytest.raises(ServiceUnavailable, match="circuit_open"):
        await svc.get_offer(fake.offers[0].id)
    assert fake.calls["price"] == 1


async def test_stream_sends_a_line_per_airline_as_it_answers_then_done() -> None:
    slow, fast = airline(delay=0.03), airline()
    fast.offers = [
        offer("700.00", segment("BA1"), source=fast.name),
        offer("600.00", segment("BA2"), source=fast.name),
    ]

    got = await lines(service(slow, fast))  # both answer

    assert [(line.get("connector"), line.get("status")) for line in got] == [
        (fast.name, "ok"),
        (slow.name, "ok"),
        (None, None),
    ]
    assert [o["total_amount"] for o in got[0]["offers"]] == ["600.00", "700.00"]
    done = got[-1]
    assert done["done"] is True
    assert done["search_id"].startswith("srch_")
    assert done["meta"]["partial"] is False
    assert [c["name"] for c in done["meta"]["connectors"]] == [slow.name, fast.name]


async def test_stream_ranks_and_limits_each_airline_line() -> None:
    fake = airline()
    fake.offers = [offer(f"{500 - i}.00", segment(f"BA{i}"), source=fake.name) for i in range(5)]

    first, _ = await lines(service(fake), limit=2)

    assert [o["total_amount"] for o in first["offers"]] == ["496.00", "497.00"]


async def test_stream_reports_a_hung_airline_as_timeout_before_done() -> None:
    hung, fast = airline(delay=math.inf), airline()

    got = await lines(service(hung, fast, deadline_ms=HUNG_DEADLINE_MS))

    assert [(line.get("connector"), line.get("status")) for line in got[:2]] == [
        (fast.name, "ok"),
        (hung.name, "timeout"),
    ]
    assert got[1]["offers"] == []
    assert got[2]["meta"]["partial"] is True


async def test_stream_of_a_route_nobody_serves_is_just_done_saying_so() -> None:
    got = await lines(service(airline(serves_airports={"FRA", "MUC"})))

    assert got == [
        {
            "done": True,
            "search_id": got[0]["search_id"],
            "meta": {"took_ms": got[0]["meta"]["took_ms"], "cache": "miss", "partial": False,
                     "connectors": [], "warnings": [msgspec.to_builtins(ROUTE_NOT_SERVED)]},
        }
    ]  # fmt: skip


async def test_stream_is_unavailable_before_any_line_when_nobody_can_be_asked() -> None:
    fake = airline(fail_with=errors.ConnectorUnavailable("down"))
    svc = service(fake, policy=ResiliencePolicy(retries=0, min_calls=1, open_s=60))
    await svc.search(request())

    stream = svc.stream(request())
    with pytest.raises(ServiceUnavailable):
        await anext(stream)


async def test_search_response_encodes_money_as_strings_and_times_as_the_api_says() -> None:
    fake = airline()
    fake.offers = [offer("612.40", segment("BA117", "2030-05-01T08:25"), source=fake.name)]

    response = await service(fake).search(request())
    encoded = msgspec.json.decode(msgspec.json.encode(response))

    first = encoded["offers"][0]
    assert (first["total_amount"], first["base_amount"], first["tax_amount"]) == (
        "612.40",
        "562.40",
        "50.00",
    )
    assert first["expires_at"] == "2031-01-01T00:00:00Z"
    assert first["slices"][0]["segments"][0]["departing_at"] == "2030-05-01T08:25:00"
    assert first["slices"][0]["duration"] == "PT8H10M"
    assert encoded["meta"]["connectors"] == [
        {"name": fake.name, "status": "ok", "offers": 1,
         "latency_ms": encoded["meta"]["connectors"][0]["latency_ms"]}
    ]  # fmt: skip
    assert set(encoded) == {"search_id", "offers", "meta"}
    assert set(encoded["meta"]) == {"took_ms", "cache", "partial", "connectors"}


def test_connector_statuses_list_every_connector_in_order() -> None:
    a, b = airline(), airline(kind="soap")

    statuses = service(a, b).connector_statuses()

    assert [(s.name, s.kind, s.circuit_state) for s in statuses] == [
        (a.name, "rest", "closed"),
        (b.name, "soap", "closed"),
    ]
