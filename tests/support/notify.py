"""The notification pipeline's test kit: the sim (SMS provider + SMTP sink) on free ports, outbox
rows and stream entries made from `booking.events`, and polling helpers.

`async with running_notify_sim() as sim:` serves the whole sim app (as `skyfare sim` does) on
127.0.0.1:<free port> and its SMTP sink on another; `sim.stop_smtp()` / `sim.start_smtp()`
take the mail server away and bring it back on the same port.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp
import asyncpg
import redis.asyncio as redis

from booking.events import Contact, Event, EventType, OrderSnapshot, encode_event, new_event
from notify.templates import Email, Sms, render
from notify.wire import decode_event
from sim.server import create_sim_app
from sim.smtp import MAILBOX, SmtpSink
from tests.support.sim import serve_sim
from tests.support.waits import WAIT_S


class NotifySim:
    def __init__(
        self, url: str, sink: SmtpSink, session: aiohttp.ClientSession, *, airlines_url: str
    ) -> None:
        self.url = url
        self.airlines_url = airlines_url  # tests/support/sim.py: `serve_sim`
        self.sink = sink
        self._session = session

    @property
    def sms_url(self) -> str:
        return f"{self.url}/sms"

    async def mails(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = (await self._call("GET", "/_sim/smtp/messages"))[
            "messages"
        ]
        return messages

    async def sms(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = (await self._call("GET", "/_sim/sms/messages"))["messages"]
        return messages

    async def sms_behaviour(self, **fields: Any) -> dict[str, Any]:
        if fields:
            answer: dict[str, Any] = await self._call("PUT", "/_sim/sms/behaviour", json=fields)
            return answer
        answer = await self._call("GET", "/_sim/sms/behaviour")
        return answer

    async def smtp_behaviour(self, **fields: Any) -> dict[str, Any]:
        if fields:
            answer: dict[str, Any] = await self._call("PUT", "/_sim/smtp/behaviour", json=fields)
            return answer
        answer = await self._call("GET", "/_sim/smtp/behaviour")
        return answer

    async def stop_smtp(self) -> None:
        await self.sink.stop()

    async def start_smtp(self) -> None:
        await self.sink.start()

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        async with self._session.request(method, self.url + path, json=json) as response:
            response.raise_for_status()
            return await response.json() if response.status != 204 else None


@asynccontextmanager
async def running_notify_sim() -> AsyncIterator[NotifySim]:
    app = create_sim_app()
    sink = SmtpSink(app[MAILBOX], "127.0.0.1", 0)
    # `serve_sim` fails the test if the sim raised on its own (tests/support/fake_server.py).
    async with serve_sim(app) as (url, airlines_url):
        await sink.start()
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
                yield NotifySim(url, sink, session, airlines_url=airlines_url)
        finally:
            await sink.stop()


def order_event(
    type: EventType = "order.held",
    *,
    reference: str = "K7Q2MZ",
    email: str | None = "ada@example.com",
    phone: str | None = "+442071838750",
    tickets: tuple[str, ...] = (),
    payment_status: str = "unpaid",
    order_type: str | None = None,
) -> Event:
    contact = (
        Contact("Ada", "Lovelace", email=email, phone_number=phone) if email or phone else None
    )
    order = OrderSnapshot(
        id=f"ord_{reference.lower()}",
        booking_reference=reference,
        status=type.removeprefix("order.") if type.startswith("order.") else "held",
        payment_status=payment_status,
        total_amount=Decimal("612.40"),
        total_currency="USD",
        payment_required_by=dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC),
        ticket_numbers=tickets,
        type=order_type,
    )
    return new_event(type, order, contact)


def entry_fields(event: Event) -> dict[str, str | bytes]:
    """The stream entry the outbox relay writes for `event`."""
    return {"id": event.id, "type": event.type, "event": encode_event(event)}


async def publish(client: redis.Redis, stream: str, *events: Event) -> None:
    """All of `events` at once (MULTI/EXEC): a worker blocked on the stream reads them in one
    batch, not the first alone — tests that hold a batch mid-send count on its size."""
    async with client.pipeline(transaction=True) as pipe:
        for event in events:
            pipe.xadd(stream, entry_fields(event))  # type: ignore[arg-type]
        await pipe.execute()


async def insert_outbox(conn: asyncpg.Connection | asyncpg.Pool, *events: Event) -> None:
    await conn.executemany(
        "INSERT INTO outbox (event_id, type, order_id, payload) VALUES ($1, $2, $3, $4::jsonb)",
        [(e.id, e.type, e.order.id, encode_event(e).decode()) for e in events],
    )


async def eventually(
    check: Callable[[], bool | Awaitable[bool]],
    *,
    timeout_s: float = WAIT_S,
    every_s: float = 0.01,
) -> None:
    """Poll `check` (sync or async) until it holds; AssertionError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s: {check}")
        await asyncio.sleep(every_s)


def rendered(event: Event) -> tuple[Email, Sms]:
    """The email and the SMS the worker would send for `event`, after the trip over the wire."""
    email, sms = render(decode_event(encode_event(event)))
    assert isinstance(email, Email)
    assert isinstance(sms, Sms)
    return email, sms
