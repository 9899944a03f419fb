"""The search routes over a real socket, with fake airlines behind the service."""

import datetime as dt
import itertools
import math
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.errors import ConnectorUnavailable
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.routes import SEARCH_SERVICE, add_routes
from search.service import SearchService
from skyfare.plumbing import install_plumbing
from tests.fakes import FakeConnector, offer, segment

_ids = itertools.count()
DAY = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
BODY = {"slices": [{"origin": "lhr", "destination": "jfk", "departure_date": DAY}]}
NDJSON = "application/x-ndjson"
NO_RETRY = ResiliencePolicy(retries=0)


def airline(**fake: Any) -> FakeConnector:
    name = f"route-{next(_ids)}"
    depart = f"{DAY}T08:25"
    fake.setdefault("offers", [offer("612.40", segment("BA117", depart), source=name)])
    return FakeConnector(name, **fake)


async def client_for(
    *fakes: FakeConnector, policy: ResiliencePolicy = NO_RETRY
) -> TestClient[web.Request, web.Application]:
    app = web.Application()
    install_plumbing(app)
    connectors = [ResilientConnector(f, policy) for f in fakes]
    # Long enough for the airlines that answer to do so on a loaded event loop (a hung one's
    # test waits it out).
    app[SEARCH_SERVICE] = SearchService(connectors, default_deadline_ms=1000)
    add_routes(app.router)
    return TestClient(TestServer(app))


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with await client_for(airline(), airline(delay=math.inf)) as test_client:
        yield test_client


async def test_post_search_answers_json_with_money_as_strings(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/search", json=BODY)

    assert response.status == 200
    assert response.content_type == "application/json"
    found = await response.json()
    assert found["offers"][0]["total_amount"] == "612.40"
    assert found["offers"][0]["expires_at"].endswith("Z")
    assert found["offers"][0]["slices"][0]["segments"][0]["departing_at"] == f"{DAY}T08:25:00"
    assert [c["status"] for c in found["meta"]["connectors"]] == ["ok", "timeout"]
    assert found["meta"]["partial"] is True


async def test_post_search_streams_ndjson_lines_when_asked(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/search", json=BODY, headers={"Accept": NDJSON})

    assert response.status == 200
    assert response.content_type == NDJSON
    lines = [msgspec.json.decode(line) for line in (await response.read()).splitlines()]
    assert [line.get("status") for line in lines] == ["ok", "timeout", None]
    assert lines[-1]["done"] is True


async def test_get_search_takes_the_query_form(client: TestClient[Any, Any]) -> None:
    params = {"origin": "LHR", "destination": "JFK", "departure_date": DAY, "adults": "2"}

    response = await client.get("/v1/search", params=params)

    assert response.status == 200
    assert len((await response.json())["offers"]) == 1


async def test_invalid_search_is_a_422_naming_each_field(client: TestClient[Any, Any]) -> None:
    body = {"slices": [{"origin": "XXX", "destination": "JFK", "departure_date": DAY}], "x": 1}

    response = await client.post("/v1/search", json=body)

    assert response.status == 422
    assert response.content_type == "application/problem+json"
    errors = (await response.json())["errors"]
    assert errors == [
        {"field": "x", "message": "unknown field"},
        {"field": "slices[0].origin", "message": "unknown airport 'XXX'"},
    ]


async def test_malformed_json_is_a_400(client: TestClient[Any, Any]) -> None:
    response = await client.post(
        "/v1/search", data=b"{", headers={"Content-Type": "application/json"}
    )

    assert response.status == 400


async def test_streamed_search_nobody_can_answer_is_a_503_problem() -> None:
    fake = airline(fail_with=ConnectorUnavailable("down"))
    trips_at_once = ResiliencePolicy(retries=0, min_calls=1, open_s=60)
    async with await client_for(fake, policy=trips_at_once) as test_client:
        first = await test_client.post("/v1/search", json=BODY)
        assert (await first.json())["meta"]["connectors"][0]["status"] == "error"

        response = await test_client.post("/v1/search", json=BODY, headers={"Accept": NDJSON})

        assert response.status == 503
        assert response.content_type == "application/problem+json"


async def test_offer_route_reprices_and_maps_failures(client: TestClient[Any, Any]) -> None:
    found = await (await client.post("/v1/search", json=BODY)).json()
    offer_id = found["offers"][0]["id"]

    priced = await client.get(f"/v1/offers/{offer_id}")
    unknown = await client.get("/v1/offers/off_nonsense")

    assert priced.status == 200
    assert (await priced.json())["price_changed"] is False
    assert unknown.status == 404


async def test_connectors_route_lists_every_connector(client: TestClient[Any, Any]) -> None:
    response = await client.get("/v1/connectors")

    connectors = (await response.json())["connectors"]
    assert [c["circuit_state"] for c in connectors] == ["closed", "closed"]
    assert {c["kind"] for c in connectors} == {"rest"}
