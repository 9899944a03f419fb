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

from skyfare.settings import Settings
from skyfare.support_wiring import KEY_PREFIX as SUPPORT_LIMIT_PREFIX
from tests.support.booking import Headers
from tests.support.helpdesk import HelpdeskControl
from tests.support.notify import NotifySim
from tests.support.payment_app import FAST_WEBHOOKS, PayEnv, notified_app
from tests.support.payment_sim import eventually


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

    async def held_case(
        self, headers: Headers, *, days: int, subject: str, message: str
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """A held order of the traveler, a case about it, and the case as the helpdesk has it."""
        order = await self.pay.held_order(headers, days=days)
        case = await self.open_case(headers, order_id=order["id"], subject=subject, message=message)
        return order, case, await self.helpdesk.case(case["id"])

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
def settings(settings: Settings) -> Settings:
    """Anonymous case openings: a burst of three, then (at one an hour and more) no more."""
    return msgspec.structs.replace(
        settings, support_anonymous_burst=3, support_anonymous_rate_per_s=0.001
    )


@pytest.fixture
async def support_env(settings: Settings, stream: str, redis_url: str) -> AsyncIterator[SupportEnv]:
    async with (
        notified_app(settings, stream, redis_url) as (pay, sim, client),
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
    ):
        # Every test's anonymous cases come from 127.0.0.1: start with that address's limit full.
        stale = [key async for key in client.scan_iter(match=f"{SUPPORT_LIMIT_PREFIX}*")]
        if stale:
            await client.delete(*stale)
        helpdesk = HelpdeskControl(sim.url, session)
        await helpdesk.configure_webhook(
            url=str(pay.client.make_url("/v1/support/webhook")), **FAST_WEBHOOKS
        )
        yield SupportEnv(pay, helpdesk, sim)


@pytest.fixture
async def alice(support_env: SupportEnv) -> Headers:
    return await support_env.pay.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
