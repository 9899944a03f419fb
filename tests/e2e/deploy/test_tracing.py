"""OpenTelemetry through the nginx gateway: the trace context nginx makes or passes on flows
through the search fan-out to every airline, and through booking to the payment gateway and, by
the outbox event, to the notification worker's send. Spans read from the SDK's in-memory
exporter (tests/support/traced_stack.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from tests.support.booking import adult, in_days
from tests.support.payment_sim import eventually
from tests.support.tokens import bearer, mint_token
from tests.support.traced_stack import TracedStack, traced_stack

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TracedStack]:
    directory = tmp_path_factory.mktemp("traced-gateway")
    async with traced_stack(database_url, redis_url, directory) as stack:
        yield stack


@pytest_asyncio.fixture(loop_scope="module")
async def session(stack: TracedStack) -> AsyncIterator[aiohttp.ClientSession]:
    async with stack.client() as session:
        yield session


def _trace(stack: TracedStack, trace_id: str) -> list[ReadableSpan]:
    wanted = int(trace_id, 16)
    return [s for s in stack.spans() if s.context is not None and s.context.trace_id == wanted]


def _descends(span: ReadableSpan, ancestor: ReadableSpan, spans: Sequence[ReadableSpan]) -> bool:
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    assert ancestor.context is not None
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == ancestor.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


def _server_span(spans: Sequence[ReadableSpan], route: str) -> ReadableSpan:
    found = [
        s
        for s in spans
        if s.kind is SpanKind.SERVER and (s.attributes or {}).get("http.route") == route
    ]
    assert len(found) == 1, [(s.name, s.attributes) for s in spans if s.kind is SpanKind.SERVER]
    return found[0]


async def test_a_search_through_the_gateway_is_one_trace_with_a_span_per_connector(
    stack: TracedStack, session: aiohttp.ClientSession
) -> None:
    query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(41), "cache": "false"}
    async with session.get(stack.gateway.url("/v1/search"), params=query) as r:
        body: dict[str, Any] = await r.json()
        request_id = r.headers["X-Request-Id"]
    asked = {c["name"] for c in body["meta"]["connectors"]}
    assert len(asked) >= 3, body["meta"]

    # No traceparent was sent: nginx made one from its $request_id, which is also the request
    # id the service answered with, so the trace is found by the id the client saw.
    spans = await eventually(
        lambda: _async(_trace(stack, request_id)),
        lambda found: sum(s.kind is SpanKind.SERVER for s in found) >= 1 + len(asked),
    )
    search = _server_span(spans, "/v1/search")
    assert search.parent is not None
    assert search.parent.is_remote  # nginx's, from the header
    assert f"{search.parent.span_id:016x}" == request_id[:16]
    connectors = [s for s in spans if s.name.startswith("connector ")]
    assert sorted(s.name for s in connectors) == sorted(f"connector {name}" for name in asked)
    for span in connectors:
        assert _descends(span, search, spans)
        attributes = span.attributes or {}
        assert attributes["skyfare.connector.outcome"] == "ok", attributes
        # The airline's HTTP call is the connector span's child, and carried the trace on to
        # the airline (the sim is traced too, in this process): its server span is in the trace.
        calls = [s for s in spans if s.kind is SpanKind.CLIENT and _descends(s, span, spans)]
        assert calls, f"{span.name} made no traced HTTP call"
        assert any(s.kind is SpanKind.SERVER and _descends(s, calls[0], spans) for s in spans)


async def test_a_client_traceparent_is_continued_and_an_invalid_one_replaced(
    stack: TracedStack, session: aiohttp.ClientSession
) -> None:
    trace_id, parent = os.urandom(16).hex(), os.urandom(8).hex()
    given = {"traceparent": f"00-{trace_id}-{parent}-01"}
    async with session.get(stack.gateway.url("/v1/connectors"), headers=given) as r:
        assert r.status == 200
    bad = {"traceparent": "00-not-a-trace-01"}
    async with session.get(stack.gateway.url("/v1/connectors"), headers=bad) as r:
        assert r.status == 200
        request_id = r.headers["X-Request-Id"]

    continued = await eventually(lambda: _async(_trace(stack, trace_id)), bool)
    assert f"{_server_span(continued, '/v1/connectors').parent.span_id:016x}" == parent  # type: ignore[union-attr]
    replaced = await eventually(lambda: _async(_trace(stack, request_id)), bool)
    assert _server_span(replaced, "/v1/connectors")


async def test_a_payment_joins_the_gateway_call_and_the_workers_send_to_its_trace(
    stack: TracedStack, session: aiohttp.ClientSession
) -> None:
    gateway = stack.gateway
    query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(42)}
    async with session.get(gateway.url("/v1/search"), params={**query, "cache": "false"}) as r:
        search = await r.json()
    offer = next(o for o in search["offers"] if o["source"].startswith("rest-"))
    headers = bearer(await mint_token(gateway.sim.url, f"otel-{uuid.uuid4().hex[:8]}"))
    body = {"offer_id": offer["id"], "type": "hold", "passengers": [adult()]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with session.post(gateway.url("/v1/orders"), json=body, headers=headers | key) as r:
        order = await r.json()
        assert r.status == 201, order

    trace_id = os.urandom(16).hex()
    traced = {"traceparent": f"00-{trace_id}-{os.urandom(8).hex()}-01"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    payment_url = gateway.url(f"/v1/orders/{order['id']}/payments")
    card = {"card_token": "tok_visa"}
    async with session.post(payment_url, json=card, headers=headers | key | traced) as r:
        assert r.status == 202, await r.text()

    # The order is confirmed by the gateway's webhook, and the worker mails it: its span, in
    # another task reading the stream, joins the payment's trace through the outbox event.
    def sent(spans: list[ReadableSpan]) -> bool:
        return any(s.name == "notify order.confirmed" for s in spans)

    spans = await eventually(lambda: _async(_trace(stack, trace_id)), sent, timeout=40)
    pay = _server_span(spans, "/v1/orders/{order_id}/payments")
    to_gateway = [
        s
        for s in spans
        if s.kind is SpanKind.CLIENT
        and "/payments/" in str((s.attributes or {}).get("url.full", s.attributes))
        and _descends(s, pay, spans)
    ]
    assert to_gateway, "the payment gateway call is not in the payment's trace"
    notify = next(s for s in spans if s.name == "notify order.confirmed")
    assert notify.kind is SpanKind.CONSUMER
    # Sent by the worker after the payment request began, as a descendant of the webhook's
    # handling, which the sim's gateway (traced, in this process) sent within the same trace.
    webhook = _server_span(spans, "/v1/payments/webhook")
    assert _descends(notify, webhook, spans)
    assert _descends(webhook, pay, spans)


async def _async(value: list[ReadableSpan]) -> list[ReadableSpan]:
    return value
