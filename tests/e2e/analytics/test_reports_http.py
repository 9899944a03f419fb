"""Reports over HTTP, and usage events of a real booking: the report route's authorization
(401 first, then 403 without the analyst role), and no personal data in any usage event or in
the store, after a search, an order with a passenger and the consumer's load."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer
from analytics.store import DB_FILE, AnalyticsStore
from kernel.usage import SearchEvent, decode_usage, expand, traveler_hash
from skyfare.settings import Settings
from tests.support.booking import BookingEnv, adult, booking_app, in_days

BOUND_S = 30.0
PASSENGER = adult(
    "Zephyrine",
    "Quarterbridge",
    email="zephyrine.q@example.org",
    phone_number="+447700900123",
    born_on="1987-03-14",
)


@pytest.fixture
def streams() -> tuple[str, str]:
    return (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")


@pytest.fixture
async def env(
    settings: Settings, streams: tuple[str, str], tmp_path: Path, redis_url: str
) -> AsyncIterator[BookingEnv]:
    configured = msgspec.structs.replace(
        settings,
        usage_stream=streams[0],
        event_stream=streams[1],
        analytics_dir=str(tmp_path),
        order_max_open_holds=0,
    )
    async with booking_app(configured) as booking:
        yield booking
    client = redis.Redis.from_url(redis_url)
    await client.delete(*streams)
    await client.aclose()


async def _entries(client: redis.Redis, stream: str, wanted: int) -> list[bytes]:
    deadline = time.monotonic() + BOUND_S
    while True:
        entries = await client.xrange(stream)
        if len(entries) >= wanted or time.monotonic() > deadline:
            return [b" ".join(k + b"=" + v for k, v in f.items()) for _, f in entries]
        await asyncio.sleep(0.05)


async def _events_of(client: redis.Redis, stream: str, order_id: str) -> list[bytes]:
    """The event stream's entries once this order's `order.held` is on it. The relay publishes
    every unpublished outbox row of the (shared) database, other tests' leftovers too, so the
    first entries of the stream need not be this order's."""
    deadline = time.monotonic() + BOUND_S
    while True:
        entries = await _entries(client, stream, 0)
        if time.monotonic() > deadline or any(
            order_id.encode() in e and b"order.held" in e for e in entries
        ):
            return entries
        await asyncio.sleep(0.05)


async def test_a_process_without_the_store_answers_503_not_empty_reports(
    env: BookingEnv, tmp_path: Path
) -> None:
    # The deployed booking pods had no analytics volume: each made an empty store of its own
    # and answered every analyst with empty rows, as if nothing had happened.
    analyst = await env.token("ana", roles=["analyst"])

    response = await env.client.get("/v1/reports/funnel", headers=analyst)

    doc = await response.json(content_type="application/problem+json")
    assert response.status == 503, doc
    assert doc["type"].endswith("/service-unavailable")
    assert "no analytics store here" in doc["detail"]
    assert str(tmp_path) not in doc["detail"]
    assert int(response.headers["Retry-After"]) >= 1
    assert os.listdir(tmp_path) == []  # nothing made, nothing to mistake for a store


async def test_a_store_that_is_no_duckdb_file_is_not_called_busy(
    env: BookingEnv, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Every DuckDB I/O error read as a lock: 503 "busy, retry in 2 s" for ever, the reason
    # nowhere.
    (tmp_path / DB_FILE).write_bytes(b"not a database")
    analyst = await env.token("ana", roles=["analyst"])

    response = await env.client.get("/v1/reports/funnel", headers=analyst)

    doc = await response.json(content_type="application/problem+json")
    assert response.status == 503, doc
    assert "cannot be read" in doc["detail"]
    assert "busy" not in doc["detail"]
    assert str(tmp_path) not in doc["detail"]
    assert "not a valid DuckDB database file" in caplog.text  # the reason, for the operator


async def test_reports_want_a_token_then_the_analyst_role(env: BookingEnv, tmp_path: Path) -> None:
    AnalyticsStore(str(tmp_path)).close()  # the consumer's store, empty so far
    traveler = await env.token("alice")
    analyst = await env.token("ana", roles=["analyst"])

    anonymous = await env.client.get("/v1/reports/funnel?since=bad")
    forbidden = await env.client.get("/v1/reports/funnel?since=bad", headers=traveler)
    allowed = await env.client.get("/v1/reports/funnel", headers=analyst)
    unknown = await env.client.get("/v1/reports/nope", headers=analyst)
    invalid = await env.client.get("/v1/reports/funnel?since=7w&since=1d", headers=analyst)

    assert anonymous.status == 401
    assert "Bearer" in anonymous.headers["WWW-Authenticate"]
    assert forbidden.status == 403
    assert (await forbidden.json())["type"].endswith("/forbidden")
    body = await allowed.json()
    assert allowed.status == 200, body
    assert allowed.headers["Cache-Control"] == "private"
    assert body["name"] == "funnel"
    assert body["columns"] == ["step", "count"]
    assert unknown.status == 404
    assert invalid.status == 422
    fields = {e["field"] for e in (await invalid.json())["errors"]}
    assert fields == {"query.since"}


async def test_a_booking_leaves_no_personal_data_in_usage_events_or_the_store(
    env: BookingEnv, streams: tuple[str, str], redis_url: str, tmp_path: Path, settings: Settings
) -> None:
    subject = f"traveler-{uuid.uuid4().hex[:6]}"
    traveler = await env.token(subject)
    offer = await env.offer()
    created = await env.order(traveler, offer, passengers=[PASSENGER], type="hold")
    order: dict[str, Any] = await created.json()
    assert created.status == 201, order
    # The same traveler, signed in, searches again: its event says who, hashed.
    params = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(31)}
    searched = await env.client.get("/v1/search", params=params, headers=traveler)
    assert searched.status == 200, await searched.text()

    client = redis.Redis.from_url(redis_url)
    try:
        # The anonymous search, the order's re-price, the signed-in search.
        usage = await _entries(client, streams[0], 3)
        events = await _events_of(client, streams[1], order["id"])
        store = AnalyticsStore(str(tmp_path))
        await AnalyticsConsumer(
            client,
            store,
            usage_stream=streams[0],
            event_stream=streams[1],
            traveler_key=settings.usage_hash_secret.encode(),
        ).catch_up()
    finally:
        await client.aclose()

    personal = [
        *(str(v) for k, v in PASSENGER.items() if k not in ("type", "gender")),
        order["booking_reference"],
        traveler["Authorization"].removeprefix("Bearer "),
        subject,
    ]
    assert any(p.encode() in b"".join(events) for p in personal)  # the test can see them
    usage_text = b"\n".join(usage)
    assert [p for p in personal if p.encode() in usage_text] == []
    with store.session() as db:
        dump = "\n".join(
            str(value)
            for (table,) in db.execute("SHOW TABLES").fetchall()
            for row in db.execute(f"SELECT * FROM {table}").fetchall()
            for value in row
        )
    assert [p for p in personal if p in dump] == []
    hashed = traveler_hash(settings.usage_hash_secret.encode(), subject)
    searches = [s for e in usage for s in expand(decode_usage(e.partition(b"event=")[2]))]
    assert [getattr(e, "traveler_hash", None) for e in searches if isinstance(e, SearchEvent)] == [
        None, hashed]  # fmt: skip
    with store.session() as db:
        owners = db.execute(
            "SELECT DISTINCT traveler_hash FROM order_events WHERE order_id = ?", [order["id"]]
        ).fetchall()
        searched_by = db.execute(
            "SELECT count(*) FROM searches WHERE traveler_hash = ?", [hashed]
        ).fetchall()
    assert owners == [(hashed,)]  # the order and the search are one traveler's
    assert searched_by == [(1,)]
    funnel = dict(
        (await (await env.client.get(
            "/v1/reports/funnel", headers=await env.token("ana", roles=["analyst"])
        )).json())["rows"]
    )  # fmt: skip
    assert funnel["search"] == 2
    # The order's own re-price is its booking's step (`hold`), not an offer a traveler opened.
    assert funnel["re-price"] == 0
    assert funnel["hold"] >= 1
