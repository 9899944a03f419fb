"""The whole event pipeline: outbox rows → the API process's relay → the stream → the worker →
a mail in the SMTP sink and an SMS at the provider sim."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.settings import Settings
from tests.support.notify import (
    NotifySim,
    eventually,
    insert_outbox,
    order_event,
    running_notify_sim,
)
from tests.support.notify_worker import running_worker, settled


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(database_url, min_size=0, max_size=2) as pool:
        await migrate(pool, timeout=30)
        yield pool


@pytest.fixture
async def sim() -> AsyncIterator[NotifySim]:
    async with running_notify_sim() as handle:
        yield handle


async def test_an_outbox_row_becomes_a_mail_and_an_sms_through_the_apps_relay(
    settings: Settings, database: asyncpg.Pool, stream: str, sim: NotifySim, redis_url: str
) -> None:
    configured = msgspec.structs.replace(settings, event_stream=stream, event_relay_interval_s=0.02)
    event = order_event("order.confirmed", reference="E2E001", tickets=("125-9",))
    message_id = f"<{event.id}.email@notify.skyfare.example>"
    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    try:
        async with (
            TestClient[web.Request, web.Application](TestServer(create_app(configured))) as api,
            running_worker(client, stream, sim),
        ):
            await insert_outbox(database, event)

            # The shared database may hold other tests' unpublished rows: they are relayed too,
            # so look for this event's notifications only.
            async def delivered() -> bool:
                sms = [m for m in await sim.sms() if m["reference"] == f"{event.id}.sms"]
                return len(sms) == 1 and await settled(client, stream)

            await eventually(delivered)
            metrics = await (await api.get("/metrics")).text()
    finally:
        await client.aclose()

    mails = [m for m in await sim.mails() if m["message_id"] == message_id]
    assert len(mails) == 1
    assert mails[0]["subject"] == "Booking E2E001 is confirmed: your e-tickets"
    [sms] = [m for m in await sim.sms() if m["reference"] == f"{event.id}.sms"]
    assert "125-9" in sms["body"]
    assert "skyfare_events_published_total" in metrics
    assert "skyfare_outbox_lag_seconds" in metrics
