"""Search through the whole app over HTTP, against the simulated airlines (README's examples)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.metrics_text import sample_value
from tests.support.sim import SimHandle

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"


@pytest.fixture
async def search_client(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    with_sim = msgspec.structs.replace(settings, connectors=sim.connector_settings())
    async with TestClient(TestServer(create_app(with_sim))) as client:
        yield client


def _airlines(body: dict[str, object]) -> set[str]:
    offers = body["offers"]
    assert isinstance(offers, list)
    return {offer["owner"]["iata_code"] for offer in offers}


async def test_a_one_way_get_search_returns_offers_from_several_airlines(
    search_client: Client,
) -> None:
    response = await search_client.get(
        "/v1/search",
        params={"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)},
    )
    body = await response.json()
    assert response.status == 200, body
    assert response.headers["X-Request-Id"]
    assert len(_airlines(body)) >= 2


async def test_a_round_trip_post_search_returns_offers_from_several_airlines(
    search_client: Client,
) -> None:
    response = await search_client.post(
        "/v1/search",
        json={
            "slices": [
                {"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)},
                {"origin": "JFK", "destination": "LHR", "departure_date": in_days(37)},
            ],
            "passengers": {"adults": 1},
            "sort": "price",
            "limit": 20,
        },
    )
    body = await response.json()
    assert response.status == 200, body
    assert len(_airlines(body)) >= 2
    assert all(len(offer["slices"]) == 2 for offer in body["offers"])


async def test_an_invalid_search_is_a_422_naming_every_bad_field(search_client: Client) -> None:
    response = await search_client.post(
        "/v1/search",
        json={
            "slices": [{"origin": "XXX", "destination": "JFK", "departure_date": "2020-01-01"}],
            "passengers": {"adults": 0},
        },
    )
    doc = await response.json(content_type=PROBLEM)
    assert response.status == 422
    assert doc["type"] == "https://skyfare.dev/problems/validation-error"
    fields = {error["field"] for error in doc["errors"]}
    assert {"slices[0].origin", "slices[0].departure_date", "passengers.adults"} <= fields


NOT_MONEY = 'must be a positive decimal string of digits and a point, e.g. "500.00"'
BAD_MAX_PRICES = {
    # Each used to be taken as a filter (and, streamed, searched the airlines): Decimal() reads
    # the last two as 1000.
    "finer-than-cents": ("900.001", "must have at most 2 decimal places in USD"),
    "exponent": ("1e3", NOT_MONEY),
    "non-ascii-digits": ("１０００", NOT_MONEY),
}


@pytest.mark.parametrize(("max_price", "message"), BAD_MAX_PRICES.values(), ids=BAD_MAX_PRICES)
@pytest.mark.parametrize("accept", ["application/json", "application/x-ndjson"])
async def test_a_max_price_that_is_not_money_in_its_currency_is_a_422_naming_it(
    search_client: Client, accept: str, max_price: str, message: str
) -> None:
    search = {
        "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)}],
        "currency": "USD",
        "max_price": max_price,
    }
    response = await search_client.post("/v1/search", json=search, headers={"Accept": accept})

    assert response.status == 422, await response.text()
    doc = await response.json(content_type=PROBLEM)
    assert doc["errors"] == [{"field": "max_price", "message": message}]


async def test_malformed_json_is_a_400_problem(search_client: Client) -> None:
    response = await search_client.post(
        "/v1/search", data=b'{"slices": [', headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert response.content_type == PROBLEM


async def test_a_streamed_search_carries_the_request_id(search_client: Client) -> None:
    response = await search_client.post(
        "/v1/search",
        json={"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)}]},
        headers={"Accept": "application/x-ndjson", "X-Request-Id": "stream-1"},
    )
    lines = (await response.read()).splitlines()
    assert response.status == 200
    assert response.headers["X-Request-Id"] == "stream-1"
    assert msgspec.json.decode(lines[-1])["done"] is True


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/x-ndjson", "application/x-ndjson"),
        ("application/json, application/x-ndjson", "application/x-ndjson"),
        ("application/json, application/x-ndjson;q=0", "application/json"),
        ("application/json, application/x-ndjson;q=0.5", "application/json"),
        ("application/x-ndjson;q=0.5, */*;q=0.1", "application/x-ndjson"),
        # Media types are case-insensitive (RFC 9110 8.3.1): this one was answered in JSON.
        ("Application/X-NDJSON", "application/x-ndjson"),
    ],
)
async def test_a_search_streams_only_when_the_client_prefers_the_stream(
    search_client: Client, accept: str, content_type: str
) -> None:
    response = await search_client.post(
        "/v1/search",
        json={"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)}]},
        headers={"Accept": accept},
    )
    await response.read()
    assert response.status == 200
    assert response.content_type == content_type


async def test_search_metrics_are_labelled_by_route_name(search_client: Client) -> None:
    await search_client.get("/v1/search", params={"origin": "LHR"})
    text = await (await search_client.get("/metrics")).text()
    # Its series exists from the start (at 0): the request must have counted.
    assert sample_value(
        text, 'skyfare_http_requests_total{method="GET",route="search_get",status="422"}'
    )


async def test_a_hanging_airline_costs_the_deadline_and_never_more(
    settings: Settings, sim: SimHandle
) -> None:
    # The sim hangs forever, and here neither an airline's per-call ceiling nor the default
    # deadline ends the wait before pytest-timeout would: only the request's own deadline can.
    # 1 s of it: room for the other airlines to answer on a busy machine (0.3 s once was not).
    an_hour_s = 3600
    never = msgspec.structs.replace(
        settings,
        connectors=tuple(
            msgspec.structs.replace(c, timeout_s=an_hour_s) for c in sim.connector_settings()
        ),
        search_deadline_ms=an_hour_s * 1000,
    )
    await sim.set_profile("liberty", hang_rate=1)
    search = {
        "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)}],
        "deadline_ms": 1000,
        "cache": False,  # a live search: an earlier test's answer must not stand in for it
    }

    async with TestClient(TestServer(create_app(never))) as client:
        response = await client.post("/v1/search", json=search)
        body = await response.json()

    assert response.status == 200
    assert body["meta"]["partial"] is True
    statuses = {c["name"]: c["status"] for c in body["meta"]["connectors"]}
    assert statuses.pop("rest-liberty") == "timeout"
    assert set(statuses.values()) == {"ok"}
    assert body["offers"]


async def test_an_offer_from_a_search_is_repriced_by_its_airline(search_client: Client) -> None:
    found = await search_client.get(
        f"/v1/search?origin=LHR&destination=JFK&departure_date={in_days(40)}&limit=1"
    )
    offer = (await found.json())["offers"][0]

    response = await search_client.get(f"/v1/offers/{offer['id']}")

    assert response.status == 200
    priced = await response.json()
    assert priced["price_changed"] is False
    assert priced["total_amount"] == offer["total_amount"]
    assert priced["slices"] == offer["slices"]


async def test_one_search_merges_rest_soap_and_ndc_airlines(search_client: Client) -> None:
    response = await search_client.get(
        f"/v1/search?origin=LHR&destination=JFK&departure_date={in_days(30)}&limit=500"
    )

    body = await response.json()
    assert response.status == 200
    kinds = {c["name"].split("-")[0] for c in body["meta"]["connectors"] if c["offers"]}
    assert kinds == {"rest", "soap", "ndc"}
    assert {o["source"] for o in body["offers"]} >= {"soap-nordic", "ndc-crimson"}
    trips = [
        tuple((s["flight_number"], s["departing_at"]) for sl in o["slices"] for s in sl["segments"])
        for o in body["offers"]
    ]
    assert len(trips) == len(set(trips))  # the same flights from two sellers: one offer


async def test_segments_say_what_baggage_each_airline_includes_and_leave_out_what_it_did_not(
    search_client: Client,
) -> None:
    params = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(31), "limit": 500}
    response = await search_client.get("/v1/search", params=params)
    body = await response.json()
    assert response.status == 200, body
    by_seller: dict[str, set[str]] = {}
    for offer in body["offers"]:
        for segment in (s for sl in offer["slices"] for s in sl["segments"]):
            bags = segment.get("baggages")
            shown = "absent" if bags is None else msgspec.json.encode(bags).decode()
            by_seller.setdefault(offer["owner"]["iata_code"], set()).add(shown)
    checked = (
        '[{"type":"checked","quantity":1,"max_weight_kg":23},{"type":"carry_on","quantity":1}]'
    )
    assert by_seller["VS"] == {checked}  # NDC: BaggageAllowanceList
    assert by_seller["SK"] == {"absent"}  # SOAP (OTA 2003/05): not reported
    assert checked in by_seller["GT"]  # REST: each leg's baggage, passed on by the consolidator
    assert '[{"type":"carry_on","quantity":1}]' in by_seller["GT"]  # AA's economy
    again = await (await search_client.get("/v1/search", params=params)).json()
    assert again["meta"]["cache"] == "hit"
    assert again["offers"] == body["offers"]  # the stored answer says the same
