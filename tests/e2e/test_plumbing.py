"""HTTP plumbing every route shares: problem documents, request ids, operations routes."""

from __future__ import annotations

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, closed_port
from tests.support.metrics_text import sample_value

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"


async def test_healthz_answers_ok_with_a_generated_request_id(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}
    assert response.headers["X-Request-Id"]


async def test_a_sane_client_request_id_is_echoed(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "trace-42"})
    assert response.headers["X-Request-Id"] == "trace-42"


async def test_an_unsafe_client_request_id_is_replaced(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "x" * 500})
    assert response.headers["X-Request-Id"] != "x" * 500


async def test_unknown_route_is_a_404_problem_with_a_request_id(client: Client) -> None:
    response = await client.get("/nowhere", headers={"X-Request-Id": "r-404"})
    assert response.status == 404
    assert response.content_type == PROBLEM
    assert response.headers["X-Request-Id"] == "r-404"
    doc = await response.json(content_type=PROBLEM)
    assert doc["type"] == "https://skyfare.dev/problems/not-found"
    assert doc["status"] == 404
    assert doc["instance"] == "/nowhere"


async def test_wrong_method_is_a_405_problem_listing_allowed_methods(client: Client) -> None:
    response = await client.post("/healthz")
    assert response.status == 405
    assert response.content_type == PROBLEM
    assert "GET" in response.headers["Allow"]
    assert (await response.json(content_type=PROBLEM))["type"].endswith("/method-not-allowed")


async def test_a_body_over_the_limit_is_a_413_problem(client: Client) -> None:
    body = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = await client.post(
        "/v1/search", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert response.content_type == PROBLEM
    assert (await response.json(content_type=PROBLEM))["type"].endswith("/payload-too-large")


async def test_a_body_that_is_not_json_is_a_415_problem(client: Client) -> None:
    response = await client.post(
        "/v1/search", data=b"origin=LHR", headers={"Content-Type": "text/plain"}
    )
    assert response.status == 415
    assert (await response.json(content_type=PROBLEM))["type"].endswith("/unsupported-media-type")


async def test_malformed_json_is_a_400_problem(client: Client) -> None:
    response = await client.post(
        "/v1/search", data=b'{"slices": [', headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json(content_type=PROBLEM))["type"].endswith("/bad-request")


async def test_a_server_bug_is_a_500_problem_without_internals(settings: Settings) -> None:
    app = create_app(settings)

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals /etc/passwd")

    app.router.add_get("/boom", boom, name="boom")
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/boom", headers={"X-Request-Id": "bug-1"})
        text = await response.text()
    assert response.status == 500
    assert response.content_type == PROBLEM
    assert "secret" not in text
    assert "Traceback" not in text
    assert "bug-1" in msgspec.json.decode(text)["detail"]


async def test_readyz_is_ready_when_postgres_and_redis_answer(client: Client) -> None:
    response = await client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok"},
    }


async def test_readyz_is_503_naming_the_database_when_it_is_down(settings: Settings) -> None:
    down = msgspec.structs.replace(
        settings, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres"
    )
    async with TestClient(TestServer(create_app(down))) as client:
        response = await client.get("/readyz")
        doc = await response.json(content_type=PROBLEM)
        health = await client.get("/healthz")  # the app started and serves despite it
    assert response.status == 503
    assert "database" in doc["detail"]
    assert doc["checks"] == {"database": "down", "cache": "ok"}
    assert health.status == 200


async def test_readyz_is_503_naming_the_cache_when_redis_is_down(settings: Settings) -> None:
    down = msgspec.structs.replace(settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    async with TestClient(TestServer(create_app(down))) as client:
        response = await client.get("/readyz")
        doc = await response.json(content_type=PROBLEM)
    assert response.status == 503
    assert doc["checks"] == {"database": "ok", "cache": "down"}


async def test_metrics_count_requests_by_route_name_never_by_path(client: Client) -> None:
    await client.get("/healthz")
    await client.get("/no/such/path/123")
    response = await client.get("/metrics")
    text = await response.text()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    # Its series exists from the start (at 0): the request must have counted.
    assert sample_value(
        text, 'skyfare_http_requests_total{method="GET",route="healthz",status="200"}'
    )
    assert 'skyfare_http_requests_total{method="GET",route="unmatched",status="404"}' in text
    assert (
        'skyfare_http_request_duration_seconds_bucket{le="0.001",method="GET",route="healthz"}'
        in text
    )
    assert "/no/such/path" not in text


async def test_openapi_document_is_served(client: Client) -> None:
    response = await client.get("/openapi.json")
    doc = await response.json()
    assert doc["openapi"] == "3.1.0"
    assert {"/healthz", "/readyz", "/metrics", "/v1/search"} <= set(doc["paths"])


async def test_docs_page_renders_the_openapi_document(client: Client) -> None:
    response = await client.get("/docs")
    text = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "/openapi.json" in text


@pytest.mark.parametrize("path", ["/healthz", "/nowhere"])
async def test_head_and_errors_carry_the_request_id(client: Client, path: str) -> None:
    response = await client.head(path)
    assert response.headers["X-Request-Id"]
