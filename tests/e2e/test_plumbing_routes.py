"""Plumbing per route (no middleware, no prepare hook): every kind of answer still gets it."""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"


async def test_a_method_the_path_does_not_take_is_a_405_listing_those_it_does(
    client: Client,
) -> None:
    response = await client.put("/v1/search", headers={"X-Request-Id": "put-1"})
    doc = await response.json(content_type=PROBLEM)
    assert response.status == 405
    assert {method.strip() for method in response.headers["Allow"].split(",")} == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    }
    assert response.headers["X-Request-Id"] == "put-1"
    assert doc["detail"] == "PUT is not allowed on /v1/search; allowed: GET, HEAD, OPTIONS, POST"


async def test_unmatched_requests_are_counted_by_method_folding_unknown_ones(
    client: Client,
) -> None:
    assert (await client.request("PROPFIND", "/nowhere")).status == 404
    assert (await client.delete("/nowhere")).status == 404
    text = await (await client.get("/metrics")).text()
    assert 'skyfare_http_requests_total{method="OTHER",route="unmatched",status="404"}' in text
    assert 'skyfare_http_requests_total{method="DELETE",route="unmatched",status="404"}' in text
    assert "PROPFIND" not in text


async def test_a_redirect_a_handler_raises_carries_the_request_id(settings: Settings) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/healthz")

    app = create_app(settings)
    app.router.add_get("/moved", moved, name="moved")
    async with TestClient(TestServer(app)) as client:
        response = await client.get(
            "/moved", allow_redirects=False, headers={"X-Request-Id": "r-302"}
        )
        text = await (await client.get("/metrics")).text()
    assert response.status == 302
    assert response.headers["Location"] == "/healthz"
    assert response.headers["X-Request-Id"] == "r-302"
    assert 'skyfare_http_requests_total{method="GET",route="moved",status="302"}' in text


async def test_a_streamed_partner_answer_carries_request_id_and_ratelimit_headers(
    sim_client: Client, api_key: str
) -> None:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    query = {"origin": "LHR", "destination": "JFK", "departure_date": day}
    response = await sim_client.post(
        "/v1/fares/bulk",
        json={"queries": [query]},
        headers={"X-API-Key": api_key, "X-Request-Id": "bulk-1"},
    )
    await response.read()
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/x-ndjson"
    assert response.headers["X-Request-Id"] == "bulk-1"
    assert response.headers["RateLimit-Limit"] == "1000"
    assert int(response.headers["RateLimit-Remaining"]) < 1000
