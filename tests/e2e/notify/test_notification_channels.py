"""The owner's notification channels, end to end: the API books, its relay publishes the events,
a notification worker wired to the user service (as `skyfare worker` wires it) sends — by mail
only, once the user turned SMS off."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
import redis.asyncio as redis

from skyfare.notify_runner import channel_preferences
from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, adult, booking_app
from tests.support.notify import NotifySim, eventually, running_notify_sim
from tests.support.notify_worker import running_worker, settled


@pytest.fixture
async def booking_env(settings: Settings, stream: str) -> AsyncIterator[BookingEnv]:
    configured = msgspec.structs.replace(settings, event_stream=stream, event_relay_interval_s=0.02)
    async with booking_app(configured) as env:
        yield env


@pytest.fixture
async def sim() -> AsyncIterator[NotifySim]:
    async with running_notify_sim() as handle:
        yield handle


async def test_sms_turned_off_sends_the_mail_and_no_sms(
    booking_env: BookingEnv, settings: Settings, stream: str, sim: NotifySim, redis_url: str
) -> None:
    ada: Headers = await booking_env.token(f"usr_ada{uuid.uuid4().hex[:8]}")
    turned = await booking_env.client.patch(
        "/v1/me",
        data=b'{"notification_channels": ["email"]}',
        headers={**ada, "Content-Type": "application/merge-patch+json"},
    )
    assert turned.status == 200, await turned.text()
    phone = f"+4477009{uuid.uuid4().int % 10**5:05d}"
    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    try:
        async with (
            channel_preferences(settings) as preferences,
            running_worker(client, stream, sim, preferences=preferences),
        ):
            response = await booking_env.order(
                ada, await booking_env.offer(), passengers=[adult(phone_number=phone)]
            )
            order = await response.json()
            assert response.status == 201, order
            reference = order["booking_reference"]

            async def mailed() -> bool:
                mails = [m for m in await sim.mails() if reference in m["subject"]]
                return bool(mails) and await settled(client, stream)

            await eventually(mailed)
    finally:
        await client.aclose()

    assert [m for m in await sim.sms() if m["to"] == phone] == []
