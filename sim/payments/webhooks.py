"""Webhook delivery as a real gateway does it: signed, at least once, not always in order.

Every event is POSTed to the configured URL, signed afresh at each attempt, and retried with
exponential backoff (with jitter) until the receiver answers 2xx, or `max_attempts` (0: never
give up). With `duplicate_rate` an event is delivered twice, by two independent deliveries; with
`reorder_ms` each delivery first waits a random 0..reorder_ms, so later events may overtake
earlier ones. The URL and secrets are read at each attempt: re-pointing the webhook redirects the
retries of events already raised.

Each delivery is a task of the dispatcher; `stop()` cancels them all and closes the session.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Annotated, Protocol

import aiohttp
import msgspec

from sim.payments.signing import HEADER, signature_header

logger = logging.getLogger(__name__)

Rate = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Millis = Annotated[float, msgspec.Meta(ge=0.0)]
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8080/v1/payments/webhook"
DEV_WEBHOOK_SECRET = "whsec_skyfare_dev_only"


class WebhookConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    url: str = DEFAULT_WEBHOOK_URL
    secrets: tuple[str, ...] = (DEV_WEBHOOK_SECRET,)  # several while a secret is rotated
    duplicate_rate: Rate = 0.0
    reorder_ms: Millis = 0.0
    retry_base_ms: Millis = 500.0
    retry_max_ms: Millis = 30_000.0
    max_attempts: Annotated[int, msgspec.Meta(ge=0)] = 0  # 0: retry until a 2xx
    timeout_ms: Annotated[float, msgspec.Meta(gt=0)] = 5_000.0


class Event(Protocol):
    """What the dispatcher delivers: a msgspec Struct with an `id` and a `type` (the payment
    ledger's events, the helpdesk's)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...


class Attempt(msgspec.Struct):
    at: float  # unix time
    status: int | None  # None: no HTTP answer (refused, timed out)
    error: str | None = None


class Delivery(msgspec.Struct):
    """One delivery of one event (a duplicate is a second Delivery of the same event)."""

    event_id: str
    type: str
    copy: int
    attempts: list[Attempt] = msgspec.field(default_factory=list)
    state: str = "pending"  # pending | delivered | gave_up


_encode = msgspec.json.Encoder().encode


class Dispatcher:
    def __init__(self, config: WebhookConfig, *, seed: int, name: str = "payments") -> None:
        self.config = config
        self._name = name
        self.deliveries: list[Delivery] = []
        self._rng = random.Random(f"{seed}:webhooks")
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    def emit(self, event: Event) -> None:
        """Deliver `event` once, or twice at `duplicate_rate`."""
        copies = 2 if self._rng.random() < self.config.duplicate_rate else 1
        for _ in range(copies):
            self.redeliver(event)

    def redeliver(self, event: Event) -> Delivery:
        """One more independent delivery of `event` (what a gateway's "resend" button does)."""
        copy = sum(1 for d in self.deliveries if d.event_id == event.id)
        delivery = Delivery(event.id, event.type, copy)
        self.deliveries.append(delivery)
        task = asyncio.create_task(self._deliver(delivery, _encode(event)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    def clear(self) -> None:
        for task in self._tasks:
            task.cancel()
        self.deliveries.clear()

    async def _deliver(self, delivery: Delivery, body: bytes) -> None:
        config = self.config
        if config.reorder_ms:
            await asyncio.sleep(self._rng.uniform(0, config.reorder_ms) / 1000)
        while True:
            if await self._attempt(delivery, body):
                delivery.state = "delivered"
                return
            config = self.config
            tries = len(delivery.attempts)
            if config.max_attempts and tries >= config.max_attempts:
                delivery.state = "gave_up"
                logger.warning(
                    "sim %s: gave up on %s after %d", self._name, delivery.event_id, tries
                )
                return
            backoff_ms = min(config.retry_max_ms, config.retry_base_ms * 2 ** (tries - 1))
            await asyncio.sleep(backoff_ms * self._rng.uniform(0.8, 1.2) / 1000)

    async def _attempt(self, delivery: Delivery, body: bytes) -> bool:
        assert self._session is not None, "Dispatcher.start() was not awaited"
        config = self.config
        now = int(time.time())
        headers = {
            "Content-Type": "application/json",
            HEADER: signature_header(config.secrets, now, body),
        }
        timeout = aiohttp.ClientTimeout(total=config.timeout_ms / 1000)
        try:
            async with self._session.post(
                config.url, data=body, headers=headers, timeout=timeout
            ) as response:
                await response.read()
                delivery.attempts.append(Attempt(time.time(), response.status))
                return 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError) as exc:
            delivery.attempts.append(Attempt(time.time(), None, type(exc).__name__))
            return False
