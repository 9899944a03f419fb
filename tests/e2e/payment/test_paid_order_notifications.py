"""The whole booking story over real servers: search → offer → hold → pay → signed webhook →
ticketed → `order.confirmed` relayed to the stream → the worker mails and texts the traveler."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import msgspec
import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.settings import Settings, default_connectors
from tests.e2e.payment.conftest import FAST_WEBHOOKS, PayEnv
from tests.support.booking import BookingEnv
from tests.support.notify import NotifySim, running_notify_sim
from tests.support.notify_worker import running_worker, settled
from tests.support.payment_sim import eventually, payments_control
from tests.support.sim import FAST, SLUGS, SimHandle
from tests.support.tokens import sim_issuer


@pytest.fixture
async def stream(redis_url: str) -> AsyncIterator[str]:
    name = f"test:{uuid.uuid4().hex}:events"
    yield name
    async with redis.Redis.from_url(redis_url) as client:
        keys = [key async for key in client.scan_iter(match=f"{name}*", count=1000)]
        if keys:
            await client.delete(*keys)


async def test_a_paid_order_is_ticketed_and_the_traveler_gets_a_mail_and_an_sms(
    settings: Settings, stream: str, redis_url: str
) -> None:
    assert settings.database_url is not None
    # Every resource is opened by an `async with`, so each is closed whether the story passes
    # or fails half-way (an unclosed one surfaces later as an unraisable ResourceWarning).
    async with (
        redis.Redis.from_url(redis_url, socket_timeout=3) as client,
        asyncpg.create_pool(settings.database_url, min_size=0, max_size=2) as pool,
        running_notify_sim() as sim,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
    ):
        await migrate(pool, timeout=30)
        handle = SimHandle(sim.url, session)
        for slug in SLUGS:
            await handle.set_profile(slug, **FAST)
        configured = msgspec.structs.replace(
            settings,
            connectors=default_connectors(sim.url),
            jwt_issuer=sim_issuer(sim.url),
            payment_gateway_url=f"{sim.url}/payments",
            event_stream=stream,
            event_relay_interval_s=0.02,
            max_body_bytes=Settings().max_body_bytes,
        )
        async with (
            TestClient[web.Request, web.Application](TestServer(create_app(configured))) as api,
            payments_control(sim.url) as gateway,
            running_worker(client, stream, sim),
        ):
            await gateway.configure_webhook(
                url=str(api.make_url("/v1/payments/webhook")), **FAST_WEBHOOKS
            )
            await gateway.set_timing(settle_ms=5)
            env = PayEnv(BookingEnv(api, handle, session), gateway, pool)
            await _book_pay_and_get_notified(env, sim, client, stream)


async def _book_pay_and_get_notified(
    env: PayEnv, sim: NotifySim, client: redis.Redis, stream: str
) -> None:
    alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
    order = await env.held_order(alice)
    paid = await env.pay(alice, order["id"])
    assert paid.status == 202, await paid.text()  # read: the connection goes back at once
    confirmed = await env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    reference = confirmed["booking_reference"]

    def mine(messages: list[dict[str, object]]) -> list[dict[str, object]]:
        return [m for m in messages if reference in str(m)]

    await eventually(sim.mails, lambda ms: any("confirmed" in str(m) for m in mine(ms)))
    await eventually(sim.sms, lambda ms: any("confirmed" in str(m) for m in mine(ms)))
    # Exactly one of each, counted once nothing is left to deliver: a duplicate would be sent
    # by then (every event published, every entry acknowledged by the worker).
    await eventually(lambda: _nothing_left(env, client, stream), lambda done: done)
    [mail] = [m for m in mine(await sim.mails()) if "confirmed" in str(m["subject"])]
    assert confirmed["ticket_numbers"][0] in str(mail)
    [text] = [m for m in mine(await sim.sms()) if "confirmed" in str(m["body"])]
    assert confirmed["ticket_numbers"][0] in str(text["body"])

    # Cancelling it refunds it, and the traveler is told so (not "nothing was charged").
    cancel = await env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert (await cancel.json())["payment_status"] == "refunded"
    mails = await eventually(sim.mails, lambda ms: any("cancelled" in str(m) for m in mine(ms)))
    [cancelled] = [m for m in mine(mails) if "cancelled" in str(m["subject"])]
    assert "being refunded to your card" in str(cancelled["body"])


async def _nothing_left(env: PayEnv, client: redis.Redis, stream: str) -> bool:
    unpublished = await env.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return unpublished == 0 and await settled(client, stream)
