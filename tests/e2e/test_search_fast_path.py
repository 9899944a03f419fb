"""Repeated `GET /v1/search` query strings answered straight from the L1: the same answer as the
full path (validation, normalized key) gives, never for a query the full path would refuse."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from search.routes import SEARCH_SERVICE
from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.metrics_text import sample_value
from tests.support.sim import SimHandle

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"
# Headers whose values differ between any two answers.
_PER_RESPONSE = {"date", "x-request-id", "content-length"}


def _remembered(client: Client, raw_query: str) -> bool:
    service = client.app[SEARCH_SERVICE]
    return service.cached_query_body(raw_query, int(time.time() // 86_400)) is not None


@pytest.fixture
async def client(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    with_sim = msgspec.structs.replace(settings, connectors=sim.connector_settings())
    async with TestClient(TestServer(create_app(with_sim))) as client:
        yield client


async def _get(client: Client, query: str) -> tuple[Any, dict[str, Any]]:
    response = await client.get(f"/v1/search?{query}")
    body = await response.read()
    return response, msgspec.json.decode(body)


def _headers(response: Any) -> list[tuple[str, str]]:
    return [(k.lower(), v) for k, v in response.headers.items() if k.lower() not in _PER_RESPONSE]


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "search_id": None, "meta": {**body["meta"], "took_ms": None}}


async def test_a_repeated_query_gets_the_bytes_and_headers_the_full_path_gives(
    client: Client, sim: SimHandle
) -> None:
    date = in_days(40)
    query = f"origin=LHR&destination=JFK&departure_date={date}"
    spelled_otherwise = f"departure_date={date}&destination=jfk&origin=lhr&adults=1"

    miss, first = await _get(client, query)
    await sim.reset()
    full, by_full_path = await _get(client, spelled_otherwise)  # a new string: the full path
    assert _remembered(client, query)
    fast, by_fast_path = await _get(client, query)

    assert miss.headers["X-Cache"] == "MISS"
    assert (full.headers["X-Cache"], fast.headers["X-Cache"]) == ("HIT", "HIT")
    as_a_hit = {**_answer(first), "meta": {**_answer(first)["meta"], "cache": "hit"}}
    assert _answer(by_fast_path) == _answer(by_full_path) == as_a_hit
    assert by_fast_path["search_id"] not in (first["search_id"], by_full_path["search_id"])
    assert _headers(fast) == _headers(full)
    assert fast.headers["X-Request-Id"] != full.headers["X-Request-Id"]
    assert sum(c["shopping"] for c in (await sim.stats()).values()) == 0  # nobody asked


async def test_an_invalid_query_is_a_422_every_time_and_never_remembered(client: Client) -> None:
    query = f"origin=LHR&destination=XXX&departure_date={in_days(30)}"
    for _ in range(2):
        response = await client.get(f"/v1/search?{query}")
        doc = await response.json(content_type=PROBLEM)
        assert response.status == 422
        assert [e["field"] for e in doc["errors"]] == ["query.destination"]
    assert not _remembered(client, query)


async def test_cache_false_bypasses_a_remembered_query(client: Client, sim: SimHandle) -> None:
    query = f"origin=LHR&destination=JFK&departure_date={in_days(41)}"
    await _get(client, query)
    assert _remembered(client, query)
    await sim.reset()

    forced, _ = await _get(client, query + "&cache=false")

    assert forced.headers["X-Cache"] == "MISS"
    assert sum(c["shopping"] for c in (await sim.stats()).values()) > 0
    assert not _remembered(client, query + "&cache=false")


async def test_fast_path_answers_are_counted_in_the_metrics(client: Client) -> None:
    query = f"origin=LHR&destination=JFK&departure_date={in_days(42)}"
    await _get(client, query)
    before = await (await client.get("/metrics")).text()
    await _get(client, query)
    after = await (await client.get("/metrics")).text()

    series = 'skyfare_http_requests_total{method="GET",route="search_get",status="200"}'
    l1_hits = 'skyfare_cache_requests_total{layer="l1",outcome="hit"}'
    for name in (series, l1_hits):
        assert sample_value(after, name) == sample_value(before, name) + 1, name
    # The L1 holds the answer: its size in bytes is exported beside its bound.
    assert (
        0
        < sample_value(after, "skyfare_cache_l1_bytes")
        <= sample_value(after, "skyfare_cache_l1_max_bytes")
    )
    assert sample_value(after, "skyfare_cache_l1_entries") >= 1


async def _post(client: Client, body: bytes, **headers: str) -> tuple[Any, dict[str, Any]]:
    response = await client.post(
        "/v1/search", data=body, headers={"Content-Type": "application/json", **headers}
    )
    return response, msgspec.json.decode(await response.read())


async def test_a_repeated_post_body_gets_the_bytes_and_headers_the_full_path_gives(
    client: Client, sim: SimHandle
) -> None:
    date = in_days(43)
    body = f'{{"slices":[{{"origin":"LHR","destination":"JFK","departure_date":"{date}"}}]}}'
    spelled_otherwise = body.replace('"LHR"', '"lhr"').replace("{", "{ ", 1)

    miss, first = await _post(client, body.encode())
    await sim.reset()
    full, by_full_path = await _post(client, spelled_otherwise.encode())
    assert service_remembers(client, body.encode())
    fast, by_fast_path = await _post(client, body.encode())

    assert miss.headers["X-Cache"] == "MISS"
    assert (full.headers["X-Cache"], fast.headers["X-Cache"]) == ("HIT", "HIT")
    as_a_hit = {**_answer(first), "meta": {**_answer(first)["meta"], "cache": "hit"}}
    assert _answer(by_fast_path) == _answer(by_full_path) == as_a_hit
    assert _headers(fast) == _headers(full)
    assert sum(c["shopping"] for c in (await sim.stats()).values()) == 0  # nobody asked


async def test_a_remembered_body_still_streams_live_when_asked_for_ndjson(
    client: Client, sim: SimHandle
) -> None:
    date = in_days(44)
    body = f'{{"slices":[{{"origin":"LHR","destination":"JFK","departure_date":"{date}"}}]}}'
    await _post(client, body.encode())
    await sim.reset()

    response = await client.post(
        "/v1/search",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Accept": "application/x-ndjson"},
    )
    lines = (await response.read()).splitlines()

    assert response.headers["Content-Type"] == "application/x-ndjson"
    assert msgspec.json.decode(lines[-1])["meta"]["cache"] == "miss"
    assert sum(c["shopping"] for c in (await sim.stats()).values()) > 0


async def test_an_invalid_post_body_is_a_422_every_time_and_never_remembered(
    client: Client,
) -> None:
    body = f'{{"slices":[{{"origin":"LHR","destination":"XXX","departure_date":"{in_days(30)}"}}]}}'
    for _ in range(2):
        response = await client.post(
            "/v1/search", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        assert response.status == 422
        await response.read()
    assert not service_remembers(client, body.encode())


def service_remembers(client: Client, body: bytes) -> bool:
    service = client.app[SEARCH_SERVICE]
    return service.cached_query_body(body, int(time.time() // 86_400), "post") is not None
