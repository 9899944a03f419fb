"""The simulated gateway as one object: its books, idempotency keys, timing and webhooks.

An intent answers `processing` at once; its outcome is decided by the card token and reported
later by webhook, after `settle_ms` (or `slow_ms` for `tok_slow`). Settlements and deliveries are
background tasks of this object, all stopped by `stop()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from aiohttp import web

from sim.payments.idempotency import IdempotencyCache
from sim.payments.ledger import CreateIntent, CreateRefund, Intent, Ledger, Outcome, Refund
from sim.payments.webhooks import Dispatcher, WebhookConfig

DEV_API_KEY = "sk_test_skyfare_sim"  # the sim's own secret key: not a secret anywhere else

Millis = Annotated[float, msgspec.Meta(ge=0.0)]


class Timing(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    settle_ms: Millis = 20.0  # how long a card takes to succeed or fail
    slow_ms: Millis = 3_000.0  # how long `tok_slow` takes


class PaymentsConfig(msgspec.Struct, frozen=True):
    """What `create_sim_app` is told: the key it accepts, its webhook and its timing."""

    api_key: str = DEV_API_KEY
    webhook: WebhookConfig = WebhookConfig()
    timing: Timing = Timing()


class PaymentsSim:
    def __init__(self, config: PaymentsConfig, *, seed: int) -> None:
        self.initial = config
        self.api_key = config.api_key
        self.timing = config.timing
        self.ledger = Ledger()
        self.idempotency = IdempotencyCache()
        self.webhooks = Dispatcher(config.webhook, seed=seed)
        self._settling: set[asyncio.Task[None]] = set()

    def create_intent(self, request: CreateIntent) -> Intent:
        intent, outcome, slow = self.ledger.create_intent(request)
        delay_ms = self.timing.slow_ms if slow else self.timing.settle_ms
        task = asyncio.create_task(self._settle(intent.id, outcome, delay_ms / 1000))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return intent

    def refund(self, request: CreateRefund) -> Refund:
        refund, event = self.ledger.refund(request)
        self.webhooks.emit(event)
        return refund

    def reset(self) -> None:
        """Forget every intent, event, delivery and key; back to the configuration of start-up."""
        for task in self._settling:
            task.cancel()
        self.ledger.clear()
        self.idempotency.clear()
        self.webhooks.clear()
        self.webhooks.config = self.initial.webhook
        self.timing = self.initial.timing

    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        """The sim app's cleanup context: deliveries run between start-up and shutdown."""
        await self.webhooks.start()
        yield
        tasks = list(self._settling)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.webhooks.stop()

    async def _settle(self, intent_id: str, outcome: Outcome, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        self.webhooks.emit(self.ledger.settle(intent_id, outcome))


PAYMENTS: web.AppKey[PaymentsSim] = web.AppKey("sim_payments", PaymentsSim)
