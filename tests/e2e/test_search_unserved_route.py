"""A search for a route no airline serves says so (`meta.warnings`), on every way a search is
answered: live and cached, GET and POST, JSON and the stream. Without it such an answer reads
like one where the airlines were asked and had nothing: `offers: []` and `connectors: []`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.sim import SimHandle

Client = TestClient[web.Request, web.Application]
# Real airports that none of the sim's airlines flies to.
UNSERVED = {"origin": "KEF", "destination": "AKL"}
NOT_SERVED = [
    {
        "code": "route_not_served",
        "detail": "No airline Skyfare searches serves this route, so none was asked: "
        "no date, cabin or filter would find offers for it.",
    }
]


@pytest.fixture
async def search_client(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    with_sim = msgspec.structs.replace(settings, connectors=sim.connector_settings())
    async with TestClient(TestServer(create_app(with_sim))) as client:
        yield client


async def _get(client: Client, **route: str) -> tuple[str, dict[str, Any]]:
    response = await client.get("/v1/search", params={**route, "departure_date": in_days(33)})
    body = await response.json()
    assert response.status == 200, body
    return response.headers["X-Cache"], body


async def test_a_get_search_of_an_unserved_route_warns_live_and_from_the_cache(
    search_client: Client,
) -> None:
    answers = [await _get(search_client, **UNSERVED) for _ in range(2)]

    assert [cache for cache, _ in answers] == ["MISS", "HIT"]
    for _, body in answers:
        assert body["offers"] == []
        assert body["meta"]["connectors"] == []
        assert body["meta"]["warnings"] == NOT_SERVED


async def test_a_post_search_of_an_unserved_route_warns_in_json_and_in_the_stream(
    search_client: Client,
) -> None:
    search = {"slices": [{**UNSERVED, "departure_date": in_days(34)}], "cache": False}

    plain = await search_client.post("/v1/search", json=search)
    streamed = await search_client.post(
        "/v1/search", json=search, headers={"Accept": "application/x-ndjson"}
    )

    assert (plain.status, streamed.status) == (200, 200)
    assert (await plain.json())["meta"]["warnings"] == NOT_SERVED
    lines = [msgspec.json.decode(line) for line in (await streamed.read()).splitlines()]
    assert [line.get("done") for line in lines] == [True]
    assert lines[0]["meta"]["warnings"] == NOT_SERVED


async def test_a_served_route_carries_no_warnings(search_client: Client) -> None:
    _, body = await _get(search_client, origin="LHR", destination="JFK")

    assert body["offers"]
    assert "warnings" not in body["meta"]
