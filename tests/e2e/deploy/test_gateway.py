"""The nginx gateway (deploy/nginx) in front of two `search` processes and one `booking`
process: the traveler's whole story through it, and what the gateway answers itself."""

from __future__ import annotations

import asyncio
import gzip
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.support.booking import adult, in_days
from tests.support.gateway import SEARCH_BURST, GatewayStack, gateway_stack
from tests.support.payment_sim import eventually
from tests.support.tokens import bearer, mint_token

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

PROBLEM = "application/problem+json"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[GatewayStack]:
    async with gateway_stack(database_url, redis_url, tmp_path_factory.mktemp("gateway")) as stack:
        yield stack


@pytest_asyncio.fixture(loop_scope="module")
async def session(stack: GatewayStack) -> AsyncIterator[aiohttp.ClientSession]:
    async with stack.session() as session:
        yield session


async def _json(response: aiohttp.ClientResponse) -> Any:
    return await response.json(content_type=None)


async def test_a_traveler_searches_holds_pays_and_is_confirmed_through_the_gateway(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(33)}
    async with session.get(stack.url("/v1/search"), params={**query, "cache": "false"}) as r:
        search = await _json(r)
        assert r.status == 200, search
    offer = next(o for o in search["offers"] if o["source"].startswith("rest-"))
    headers = bearer(await mint_token(stack.sim.url, f"gw-{uuid.uuid4().hex[:8]}"))
    body = {"offer_id": offer["id"], "type": "hold", "passengers": [adult()]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with session.post(stack.url("/v1/orders"), json=body, headers=headers | key) as r:
        order = await _json(r)
        assert r.status == 201, order
    payment_url = stack.url(f"/v1/orders/{order['id']}/payments")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    card = {"card_token": "tok_visa"}
    async with session.post(payment_url, json=card, headers=headers | key) as r:
        assert r.status == 202, await r.text()

    async def read() -> dict[str, Any]:
        async with session.get(stack.url(f"/v1/orders/{order['id']}"), headers=headers) as r:
            result: dict[str, Any] = await _json(r)
            return result

    # The gateway's webhook, signed by the sim's payment gateway, came through nginx too.
    confirmed = await eventually(read, lambda o: o["status"] == "confirmed", timeout=30)
    assert confirmed["payment_status"] == "paid"
    assert confirmed["ticket_numbers"]


async def test_an_orders_seat_map_goes_to_booking_and_an_offers_to_search(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(34)}
    async with session.get(stack.url("/v1/search"), params={**query, "cache": "false"}) as r:
        search = await _json(r)
    offer = next(o for o in search["offers"] if o["source"].startswith("rest-"))
    async with session.get(stack.url("/v1/seat_maps"), params={"offer_id": offer["id"]}) as r:
        assert r.status == 200, await r.text()
        assert r.headers["X-Cache"] in ("HIT", "MISS")  # the search service's cached maps
    headers = bearer(await mint_token(stack.sim.url, f"gw-{uuid.uuid4().hex[:8]}"))
    body = {"offer_id": offer["id"], "passengers": [adult()]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with session.post(stack.url("/v1/orders"), json=body, headers=headers | key) as r:
        order = await _json(r)
        assert r.status == 201, order

    # Only booking knows orders and tokens: a search process would answer 503 here.
    params = {"order_id": order["id"]}
    async with session.get(stack.url("/v1/seat_maps"), params=params, headers=headers) as r:
        maps = await _json(r)
        assert r.status == 200, maps
        assert r.headers["Cache-Control"] == "no-store"
    assert maps["seat_maps"]
    async with session.get(stack.url("/v1/seat_maps"), params=params) as r:
        assert r.status == 401


async def test_answers_carry_the_request_id_and_the_security_headers(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    async with session.get(stack.url("/healthz"), headers={"X-Request-Id": "trace-7"}) as r:
        echoed = r.headers["X-Request-Id"]
    async with session.get(stack.url("/v1/connectors")) as r:
        minted = r.headers.getall("X-Request-Id")
        headers = r.headers
    assert echoed == "trace-7"
    assert len(minted) == 1  # one id, the gateway's, which the service answered with
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
async def test_what_the_orchestrator_and_prometheus_ask_each_process_is_not_published(
    stack: GatewayStack, session: aiohttp.ClientSession, path: str
) -> None:
    # /readyz went through to booking: anyone learnt which store was down, and each anonymous
    # call, unlimited, cost booking a PostgreSQL round trip. /metrics answered nginx's HTML.
    async with session.get(stack.url(path)) as r:
        assert r.status == 404
        assert r.headers["Content-Type"] == "application/problem+json"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        problem = await r.json(content_type=None)
    assert problem["type"] == "https://skyfare.dev/problems/not-found"


async def test_json_is_compressed_for_clients_that_accept_gzip(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(34)}
    headers = {"Accept-Encoding": "gzip"}
    async with session.get(
        stack.url("/v1/search"), params=query, headers=headers, auto_decompress=False
    ) as r:
        raw = await r.read()
        encoding = r.headers.get("Content-Encoding")
    assert encoding == "gzip"
    assert gzip.decompress(raw).startswith(b'{"')


async def test_plain_http_redirects_to_https_but_takes_webhooks(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    async with session.get(stack.http_url("/v1/connectors"), allow_redirects=False) as r:
        redirect = r.status, r.headers["Location"]
    unsigned = {"id": "evt_1", "type": "payment_intent.succeeded"}
    async with session.post(stack.http_url("/v1/payments/webhook"), json=unsigned) as r:
        webhook = r.status, r.content_type
    assert redirect == (308, stack.url("/v1/connectors"))
    assert webhook == (400, PROBLEM)  # booking's answer: not signed by the payment gateway


async def test_an_oversize_body_is_a_413_problem_from_the_gateway(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    body = io.BytesIO(b"{" + b" " * stack.layout.max_body_bytes + b"}")
    headers = {"Content-Type": "application/json", "X-Request-Id": "big-1"}
    async with session.post(stack.url("/v1/search"), data=body, headers=headers) as r:
        doc = await r.json(content_type=PROBLEM)
        status, request_id = r.status, r.headers["X-Request-Id"]
    assert status == 413
    assert doc["type"] == "https://skyfare.dev/problems/payload-too-large"
    assert doc["status"] == 413
    assert "the gateway takes" in doc["detail"]  # nginx's answer: no service read the body
    assert request_id == "big-1"


async def test_an_anonymous_search_flood_gets_429_problems_with_retry_after(
    stack: GatewayStack,
) -> None:
    # From an address of its own, so the limit of 127.0.0.1 (the other tests) is untouched.
    flood = SEARCH_BURST * 6
    query = {"origin": "LHR", "destination": "JFK", "departure_date": "2020-01-01"}
    async with stack.session(local_addr=("127.0.0.2", 0), limit=50) as session:

        async def search() -> tuple[int, str | None, Any]:
            async with session.get(stack.url("/v1/search"), params=query) as r:
                return r.status, r.headers.get("Retry-After"), await _json(r)

        answers = await asyncio.gather(*(search() for _ in range(flood)))
    statuses = {status for status, _, _ in answers}
    limited = [(retry, doc) for status, retry, doc in answers if status == 429]
    assert statuses == {422, 429}  # the service's answer to a date in the past, or the limit
    assert len(limited) >= SEARCH_BURST  # most of them, however slowly the flood was sent
    retry_after, doc = limited[0]
    assert retry_after is not None
    assert int(retry_after) >= 1
    assert doc["type"] == "https://skyfare.dev/problems/rate-limited"
    assert doc["status"] == 429


async def test_the_travelers_calendar_is_limited_with_the_anonymous_searches(
    stack: GatewayStack,
) -> None:
    # Public like a search, so limited like one (its own address: the other floods are apart).
    flood = SEARCH_BURST * 6
    query = {"origin": "LHR", "destination": "JFK", "month": "2020-01"}
    async with stack.session(local_addr=("127.0.0.3", 0), limit=50) as session:

        async def calendar() -> int:
            async with session.get(stack.url("/v1/calendar"), params=query) as r:
                await r.read()
                return r.status

        statuses = await asyncio.gather(*(calendar() for _ in range(flood)))
    assert set(statuses) == {422, 429}  # the search service's answer to a past month, or the limit
    assert statuses.count(429) >= SEARCH_BURST
