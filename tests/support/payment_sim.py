"""The sim payment gateway's control API for tests, and a webhook receiver to point it at.

- `PaymentsSimControl(sim.url)`: `configure_webhook(url=..., retry_base_ms=...)`, `set_timing()`,
  `intents()`, `answer_challenge()` (3-D Secure), `events()`, `deliveries()`, `redeliver()`,
  `reset()`, `refund_by_hand()` (a refund made at the gateway's dashboard), and `wait_for()`
  to poll the gateway's state until a condition holds (no sleeps as synchronisation).
- `running_receiver()`: a real HTTP server recording every webhook delivery; its answers are
  scripted (`receiver.answers = [500, 500]` fails the next two, then 200).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from payment.gateway import HttpPaymentGateway
from sim.payments import DEV_API_KEY
from tests.support.fake_server import serve
from tests.support.waits import WAIT_S

T = TypeVar("T")
_TIMEOUT = aiohttp.ClientTimeout(total=5)
POLL_S = 0.01


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], *, timeout: float = WAIT_S
) -> T:
    """Call `probe` until `accept` holds for its answer; the last answer in the failure."""
    async with asyncio.timeout(timeout):
        while True:
            value = await probe()
            if accept(value):
                return value
            await asyncio.sleep(POLL_S)


class PaymentsSimControl:
    def __init__(self, sim_url: str, session: aiohttp.ClientSession) -> None:
        self.sim_url = sim_url
        self.gateway_url = f"{sim_url}/payments"
        self.api_key = DEV_API_KEY
        self._session = session

    async def configure_webhook(self, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("PUT", "/_sim/payments/webhook", fields)
        return result

    async def refund_by_hand(self, intent_id: str) -> None:
        """Refund all of the intent at the gateway itself (its dashboard): only its
        `charge.refunded` webhook tells Skyfare."""
        dashboard = HttpPaymentGateway(self.gateway_url, self.api_key)
        try:
            await dashboard.refund(
                intent_id=intent_id, amount=None, idempotency_key="dashboard", timeout=5.0
            )
        finally:
            await dashboard.close()

    async def set_timing(self, **fields: float) -> None:
        await self._call("PUT", "/_sim/payments/timing", fields)

    async def intents(self, order_id: str | None = None) -> list[dict[str, Any]]:
        query = "" if order_id is None else f"?order_id={order_id}"
        body = await self._call("GET", "/_sim/payments/intents" + query)
        intents: list[dict[str, Any]] = body["intents"]
        return intents

    async def refuse_refunds(
        self, intent_id: str, *, times: int = 1, code: str = "charge_disputed"
    ) -> None:
        """The intent's next `times` refunds are refused with `code`."""
        await self._call(
            "POST",
            f"/_sim/payments/intents/{intent_id}/refuse_refunds",
            {"times": times, "code": code},
        )

    async def answer_challenge(self, intent_id: str, outcome: str) -> dict[str, Any]:
        """Answer the intent's 3-D Secure challenge (`complete` or `fail`) as the browser
        would; the intent after it."""
        intent: dict[str, Any] = await self._call(
            "POST", f"/_sim/payments/intents/{intent_id}/challenge", {"outcome": outcome}
        )
        return intent

    async def events(self, intent_id: str | None = None) -> list[dict[str, Any]]:
        query = "" if intent_id is None else f"?payment_intent={intent_id}"
        events: list[dict[str, Any]] = (await self._call("GET", "/_sim/payments/events" + query))[
            "events"
        ]
        return events

    async def deliveries(self, event_id: str | None = None) -> list[dict[str, Any]]:
        query = "" if event_id is None else f"?event_id={event_id}"
        body = await self._call("GET", "/_sim/payments/deliveries" + query)
        deliveries: list[dict[str, Any]] = body["deliveries"]
        return deliveries

    async def redeliver(self, event_id: str) -> None:
        await self._call("POST", f"/_sim/payments/events/{event_id}/redeliver")

    async def reset(self) -> None:
        await self._call("POST", "/_sim/payments/reset")

    async def settled(self, *, count: int, timeout: float = WAIT_S) -> list[dict[str, Any]]:
        """Wait until `count` deliveries exist and none is pending; the deliveries."""
        return await eventually(
            self.deliveries,
            lambda ds: len(ds) >= count and all(d["state"] != "pending" for d in ds),
            timeout=timeout,
        )

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        async with self._session.request(
            method, self.sim_url + path, json=json, timeout=_TIMEOUT
        ) as response:
            response.raise_for_status()
            return await response.json() if response.status != 204 else None


@asynccontextmanager
async def payments_control(sim_url: str) -> AsyncIterator[PaymentsSimControl]:
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as session:
        yield PaymentsSimControl(sim_url, session)


class Received:
    def __init__(self, headers: dict[str, str], body: bytes) -> None:
        self.headers = headers
        self.body = body


class Receiver:
    """Records deliveries; answers each with the next of `answers`, then 200."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[Received] = []
        self.answers: list[int] = []
        self._arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(dict(request.headers), await request.read()))
        async with self._arrived:
            self._arrived.notify_all()
        return web.Response(status=self.answers.pop(0) if self.answers else 200)

    async def wait_for(self, count: int, *, timeout: float = WAIT_S) -> list[Received]:
        """At least `count` deliveries received (whatever was answered)."""
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.received) >= count)
        return list(self.received)


@asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/webhook", receiver.handle)
    async with serve(app) as url:  # fails the test if the receiver raised on its own
        receiver.url = f"{url}/webhook"
        yield receiver


def assert_sent_to_the_bank(
    next_action: dict[str, Any], intent: dict[str, Any], origin: str, order_id: str
) -> None:
    """`next_action` (an answer's) sends the traveler to the page of the sim's intent waiting for
    its 3-D Secure answer, which sends them back to the app at `origin`: the same page for the
    order's payment, a seat change's and a flight change's (`/bank-return?order=…`)."""
    assert intent["status"] == "requires_action"
    assert next_action["type"] == "redirect_to_url"
    redirect = intent["next_action"]["redirect_to_url"]
    assert next_action["url"] == redirect["url"]
    assert redirect["return_url"] == f"{origin.rstrip('/')}/bank-return?order={order_id}"
