"""Each deployable service serves its own routes and is ready when what it needs answers:
`create_app(settings, "search" | "booking" | "analytics")` (skyfare/app.py's service tables)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from analytics.store import AnalyticsStore
from skyfare.app import create_app
from skyfare.settings import Settings
from tests.e2e.conftest import closed_port

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"
SEARCH_QUERY = {"origin": "LHR", "destination": "JFK", "departure_date": "2020-01-01"}


def _postgres_down(settings: Settings) -> Settings:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres"
    return msgspec.structs.replace(settings, database_url=url)


def _redis_down(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0")


async def test_search_serves_searches_and_not_orders(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(settings, "search"))) as client:
        search = await client.get("/v1/search", params=SEARCH_QUERY)
        orders = await client.get("/v1/orders")
        document = await (await client.get("/openapi.json")).json()
    assert search.status == 422  # the search route validated it: a date in the past
    assert orders.status == 404
    # The document is the whole API as the gateway serves it, whichever part answers.
    assert {"/v1/search", "/v1/orders", "/v1/payments/webhook"} <= set(document["paths"])


async def test_booking_serves_orders_and_not_searches(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(settings, "booking"))) as client:
        search = await client.get("/v1/search", params=SEARCH_QUERY)
        bulk = await client.post("/v1/fares/bulk", json={})
        orders = await client.get("/v1/orders")
    assert search.status == 404
    assert bulk.status == 404
    assert orders.status == 401  # the order route, asking for a token


async def test_analytics_serves_the_reports_and_booking_no_longer_does(
    settings: Settings, tmp_path: Path
) -> None:
    # Booking's pods have no analytics store (it is the consumer's volume): the gateway sends
    # /v1/reports/ to `skyfare analytics`, which serves this app beside its store.
    AnalyticsStore(str(tmp_path)).close()
    configured = msgspec.structs.replace(settings, analytics_dir=str(tmp_path))
    async with TestClient(TestServer(create_app(configured, "analytics"))) as client:
        report = await client.get("/v1/reports/funnel")
        orders = await client.get("/v1/orders")
        health = await client.get("/healthz")
        ready = await (await client.get("/readyz")).json()
    async with TestClient(TestServer(create_app(configured, "booking"))) as client:
        booking_report = await client.get("/v1/reports/funnel")
    assert report.status == 401  # the report route, asking for a token
    assert orders.status == 404
    assert health.status == 200
    assert ready == {"status": "ready", "checks": {}}  # its store is its own file
    assert booking_report.status == 404


async def test_search_is_ready_while_postgres_is_down(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(_postgres_down(settings), "search"))) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 200
    assert body == {"status": "ready", "checks": {"cache": "ok"}}


async def test_search_is_not_ready_while_redis_is_down(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(_redis_down(settings), "search"))) as client:
        response = await client.get("/readyz")
        doc = await response.json(content_type=PROBLEM)
    assert response.status == 503
    assert doc["checks"] == {"cache": "down"}


async def test_booking_is_ready_while_redis_is_down(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(_redis_down(settings), "booking"))) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == 200
    assert body == {"status": "ready", "checks": {"database": "ok"}}


async def test_booking_is_not_ready_while_postgres_is_down(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(_postgres_down(settings), "booking"))) as client:
        response = await client.get("/readyz")
        doc = await response.json(content_type=PROBLEM)
    assert response.status == 503
    assert doc["checks"] == {"database": "down"}


def test_an_unknown_service_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="unknown service 'payments'"):
        create_app(settings, "payments")
