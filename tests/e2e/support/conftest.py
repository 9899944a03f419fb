"""The support desk over real servers: the app, the sim (airlines, gateway, helpdesk, SMTP sink
and SMS provider), the outbox relay and a notification worker. The helpdesk's and the gateway's
webhooks go to this app (fast retries)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

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
from skyfare.support_wiring import KEY_PREFIX as SUPPORT_LIMIT_PREFIX
from tests.e2e.payment.conftest import FAST_WEBHOOKS, PayEnv
from tests.support.booking import BookingEnv, Headers
from tests.support.helpdesk import HelpdeskControl
from tests.support.notify import NotifySim, running_notify_sim
from tests.support.notify_worker import running_worker
from tests.support.payment_sim import eventually, payments_control
from tests.support.sim import FAST, SLUGS, SimHandle
from tests.support.tokens import sim_issuer


class SupportEnv:
    def __init__(self, pay: PayEnv, helpdesk: HelpdeskControl, sim: NotifySim) -> None:
        self.pay = pay
        self.client = pay.client
        self.helpdesk = helpdesk
        self.sim = sim

    async def open_case(self, headers: Headers, **body: Any) -> dict[str, Any]:
        response = await self.client.post("/v1/support/cases", json=body, headers=headers)
        answer: dict[str, Any] = await response.json()
        assert response.status == 201, answer
        return answer

    async def cases(self, headers: Headers) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/support/cases", headers=headers)
        body = await response.json()
        assert response.status == 200, body
        data: list[dict[str, Any]] = body["data"]
        return data

    async def history(self, order_id: str) -> list[asyncpg.Record]:
        return await self.pay.pool.fetch(
            "SELECT to_status, to_payment_status, reason, actor FROM order_history"
            " WHERE order_id = $1 ORDER BY id",
            order_id,
        )

    async def mails_about(self, reference: str, words: str) -> list[dict[str, Any]]:
        """Mails naming the booking `reference` that contain `words` (poll until one arrives)."""

        def found(mails: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [m for m in mails if reference in str(m) and words in str(m)]

        mails = await eventually(self.sim.mails, lambda ms: bool(found(ms)))
        return found(mails)


@pytest.fixture
async def stream(redis_url: str) -> AsyncIterator[str]:
    name = f"test:{uuid.uuid4().hex}:events"
    yield name
    async with redis.Redis.from_url(redis_url) as client:
        keys = [key async for key in client.scan_iter(match=f"{name}*", count=1000)]
        if keys:
            await client.delete(*keys)


@pytest.fixture
async def support_env(settings: Settings, stream: str, redis_url: str) -> AsyncIterator[SupportEnv]:
    assert settings.database_url is not None
    async with (
        redis.Redis.from_url(redis_url, socket_timeout=3) as client,
        asyncpg.create_pool(settings.database_url, min_size=0, max_size=2) as pool,
        running_notify_sim() as sim,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
    ):
        await migrate(pool, timeout=30)
        # Every test's anonymous cases come from 127.0.0.1: start with that address's limit full.
        stale = [key async for key in client.scan_iter(match=f"{SUPPORT_LIMIT_PREFIX}*")]
        if stale:
            await client.delete(*stale)
        handle = SimHandle(sim.url, session)
        for slug in SLUGS:
            await handle.set_profile(slug, **FAST)
        configured = msgspec.structs.replace(
            settings,
            connectors=default_connectors(sim.url),
            jwt_issuer=sim_issuer(sim.url),
            payment_gateway_url=f"{sim.url}/payments",
            helpdesk_url=f"{sim.url}/helpdesk",
            event_stream=stream,
            event_relay_interval_s=0.02,
            max_body_bytes=Settings().max_body_bytes,
            support_anonymous_burst=3,
            support_anonymous_rate_per_s=0.001,
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
            helpdesk = HelpdeskControl(sim.url, session)
            await helpdesk.configure_webhook(
                url=str(api.make_url("/v1/support/webhook")), **FAST_WEBHOOKS
            )
            pay = PayEnv(BookingEnv(api, handle, session), gateway, pool)
            yield SupportEnv(pay, helpdesk, sim)


@pytest.fixture
async def alice(support_env: SupportEnv) -> Headers:
    return await support_env.pay.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
