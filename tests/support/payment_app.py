"""The app in front of the sim airlines AND the sim gateway, whose webhooks are delivered to this
app (fast settlement and retries): `payment_app` for payment tests, `notified_app` for the whole
story's servers (plus the outbox relay to a stream and a notification worker reading it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, NamedTuple

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.postgres import connect_options
from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, trusting_sim
from tests.support.history_details import check_details_stored, steps_from
from tests.support.notify import NotifySim, running_notify_sim
from tests.support.notify_worker import running_worker, settled
from tests.support.payment_sim import PaymentsSimControl, eventually, payments_control
from tests.support.sim import FAST, SLUGS, SimHandle, fast_profiles, running_sim
from tests.support.tokens import sim_issuer
from tests.support.waits import WAIT_S

FAST_WEBHOOKS = {"retry_base_ms": 10, "retry_max_ms": 100, "timeout_ms": 3000}
SETTLED = ("paid", "failed", "refunded", "unpaid")


class PayEnv:
    """`BookingEnv` (token, offer, order) plus the gateway's control API and payment moves."""

    def __init__(self, booking: BookingEnv, gateway: PaymentsSimControl, pool: asyncpg.Pool):
        self.booking = booking
        self.client = booking.client
        self.gateway = gateway
        self.pool = pool

    async def held_order(self, headers: Headers, *, days: int = 30, **body: Any) -> dict[str, Any]:
        """A held order for the cheapest offer `days` ahead (different days: different flights,
        so orders made together do not change each other's prices)."""
        offer = await self.booking.offer(days=days)
        response = await self.booking.order(headers, offer, **body)
        order: dict[str, Any] = await response.json()
        assert response.status == 201, order
        return order

    async def pay(
        self, headers: Headers, order_id: str, card_token: str = "tok_visa", *, key: str = ""
    ) -> aiohttp.ClientResponse:
        return await self.client.post(
            f"/v1/orders/{order_id}/payments",
            json={"card_token": card_token},
            headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())},
        )

    async def order(self, headers: Headers, order_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/orders/{order_id}", headers=headers)
        body: dict[str, Any] = await response.json()
        assert response.status == 200, body
        return body

    async def until(
        self,
        headers: Headers,
        order_id: str,
        accept: Callable[[dict[str, Any]], bool],
        *,
        timeout: float = WAIT_S,
    ) -> dict[str, Any]:
        """Poll the order until `accept` holds (the gateway answers by webhook, later)."""
        return await eventually(lambda: self.order(headers, order_id), accept, timeout=timeout)

    async def settled(self, headers: Headers, order_id: str) -> dict[str, Any]:
        """The order once its payment is no longer in flight (paid and ticketed, or over)."""
        return await self.until(
            headers,
            order_id,
            lambda o: (
                o["payment_status"] in SETTLED
                and not (o["status"] == "held" and o["payment_status"] == "paid")
            ),
        )

    async def events(self, order_id: str) -> list[str]:
        """The types of the events the order emitted (its outbox rows), in order."""
        rows = await self.pool.fetch(
            "SELECT type FROM outbox WHERE order_id = $1 ORDER BY id", order_id
        )
        return [row["type"] for row in rows]

    async def stated_penalty(self, order_id: str) -> Decimal:
        """What the order's cancellation said the airline keeps (its `order.cancelled` event,
        which the traveler's mail quotes): 0 when it said nothing, as for an unpaid order."""
        penalty = await self.pool.fetchval(
            "SELECT payload->'order'->>'penalty_amount' FROM outbox"
            " WHERE order_id = $1 AND type = 'order.cancelled'",
            order_id,
        )
        return Decimal(0) if penalty is None else Decimal(penalty)

    async def payments(self, order_id: str) -> list[asyncpg.Record]:
        return await self.pool.fetch(
            "SELECT * FROM payments WHERE order_id = $1 ORDER BY created_at", order_id
        )


@asynccontextmanager
async def payment_app(settings: Settings) -> AsyncIterator[PayEnv]:
    """The app (migrated database, sim airlines with fast profiles, the sim's token issuer and
    gateway); the gateway's webhooks go to this app."""
    assert settings.database_url is not None
    async with asyncpg.create_pool(
        settings.database_url, min_size=0, max_size=4, **connect_options(settings)
    ) as pool:
        await migrate(pool, timeout=30)
        since = await steps_from(pool)
        async with running_sim(profiles=fast_profiles()) as sim:
            configured = trusting_sim(settings, sim)
            timeout = aiohttp.ClientTimeout(total=5)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                TestClient(TestServer(create_app(configured))) as client,
                payments_control(sim.url) as gateway,
            ):
                webhook_url = str(client.make_url("/v1/payments/webhook"))
                await gateway.configure_webhook(url=webhook_url, **FAST_WEBHOOKS)
                await gateway.set_timing(settle_ms=5, slow_ms=300)
                yield PayEnv(BookingEnv(client, sim, session), gateway, pool)
        await check_details_stored(pool, since)


class NotifiedApp(NamedTuple):
    """What `notified_app` yields: the payment moves, the sim's sinks and the stream's Redis."""

    pay: PayEnv
    sim: NotifySim
    redis: redis.Redis


@asynccontextmanager
async def notified_app(
    settings: Settings, stream: str, redis_url: str
) -> AsyncIterator[NotifiedApp]:
    """The whole story's servers: the app, the sim (airlines, gateway, helpdesk, SMTP and SMS
    sinks), the outbox relay to `stream` and the notification worker reading it."""
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
        since = await steps_from(pool)
        handle = SimHandle(sim.url, session, airlines_url=sim.airlines_url)
        for slug in SLUGS:
            await handle.set_profile(slug, **FAST)
        configured = msgspec.structs.replace(
            settings,
            connectors=handle.connector_settings(),
            jwt_issuer=sim_issuer(sim.url),
            payment_gateway_url=f"{sim.url}/payments",
            helpdesk_url=f"{sim.url}/helpdesk",
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
            yield NotifiedApp(PayEnv(BookingEnv(api, handle, session), gateway, pool), sim, client)
        await check_details_stored(pool, since)


async def nothing_left(env: PayEnv, client: redis.Redis, stream: str) -> bool:
    """Every event published and acknowledged by the worker: a duplicate would be out by now."""
    unpublished = await env.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return unpublished == 0 and await settled(client, stream)
