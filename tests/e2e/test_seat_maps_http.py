"""`GET /v1/seat_maps` through the whole app over HTTP, against the simulated airlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.sim import SimHandle

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    with_sim = msgspec.structs.replace(settings, connectors=sim.connector_settings())
    async with TestClient(TestServer(create_app(with_sim))) as client:
        yield client


async def _offers(client: Client, **params: str) -> list[dict[str, object]]:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    query = {"origin": "LHR", "destination": "SFO", "departure_date": day, **params}
    response = await client.get("/v1/search", params=query)
    assert response.status == 200
    offers: list[dict[str, object]] = (await response.json())["offers"]
    return offers


async def test_a_rest_airlines_offer_has_a_drawable_map_per_segment(client: Client) -> None:
    offers = await _offers(client, adults="1", children="1")
    offer = next(o for o in offers if str(o["source"]).startswith("rest-"))

    response = await client.get("/v1/seat_maps", params={"offer_id": str(offer["id"])})
    body = await response.json()

    assert response.status == 200, body
    assert response.headers["X-Cache"] == "MISS"
    segments = [s for sl in offer["slices"] for s in sl["segments"]]  # type: ignore[attr-defined]
    assert [(m["origin"], m["destination"]) for m in body["seat_maps"]] == [
        (s["origin"], s["destination"]) for s in segments
    ]
    cabin = body["seat_maps"][0]["cabins"][0]
    elements = [e for r in cabin["rows"] for s in r["sections"] for e in s["elements"]]
    types = {e["type"] for e in elements}
    assert {"seat", "galley", "lavatory", "exit_row"} <= types
    bought = [e for e in elements if e.get("available_services")]
    assert bought
    service = bought[0]["available_services"][0]
    assert service["passenger_id"] in {"pas_1", "pas_2"}
    assert service["id"].startswith("ase_")
    assert service["total_currency"] == offer["total_currency"]
    assert body["seat_maps"][0]["disclosures"]
    # Every seat carries its lists, empty when nothing applies (Duffel's shape): a client reads
    # `available_services` of a taken seat as [] without guarding for its absence.
    seats = [e for e in elements if e["type"] == "seat"]
    assert any(e["available_services"] == [] for e in seats)
    for seat in seats:
        assert {"available_services", "characteristics", "disclosures"} <= seat.keys(), seat
    assert all(e.keys() == {"type"} for e in elements if e["type"] != "seat")

    again = await client.get("/v1/seat_maps", params={"offer_id": str(offer["id"])})
    assert again.headers["X-Cache"] == "HIT"
    assert await again.json() == body


async def test_each_protocols_airline_draws_its_seat_maps(client: Client) -> None:
    offers = await _offers(client, destination="JFK")
    kinds = {}
    for offer in offers:
        kinds.setdefault(str(offer["source"]).split("-")[0], offer)
    assert {"rest", "soap", "ndc"} <= set(kinds)

    for kind in ("rest", "soap", "ndc"):
        offer = kinds[kind]
        response = await client.get("/v1/seat_maps", params={"offer_id": str(offer["id"])})
        body = await response.json()
        assert response.status == 200, (kind, body)
        segments = [s for sl in offer["slices"] for s in sl["segments"]]  # type: ignore[attr-defined]
        assert [m["flight_number"] for m in body["seat_maps"]] == [
            s["flight_number"] for s in segments
        ], kind
        rows = body["seat_maps"][0]["cabins"][0]["rows"]
        designators = [
            e["designator"]
            for r in rows
            for sec in r["sections"]
            for e in sec["elements"]
            if e["type"] == "seat"
        ]
        assert len(designators) == len(set(designators)) > 0, kind


async def test_bad_and_unknown_offers_are_problems(client: Client) -> None:
    missing = await client.get("/v1/seat_maps")
    assert missing.status == 422
    assert [e["field"] for e in (await missing.json())["errors"]] == ["query.offer_id"]
    unknown = await client.get("/v1/seat_maps", params={"offer_id": "off_nope", "x": "1"})
    assert unknown.status == 422
    assert [e["field"] for e in (await unknown.json())["errors"]] == ["query.x"]
    assert (await client.get("/v1/seat_maps", params={"offer_id": "off_nope"})).status == 404
