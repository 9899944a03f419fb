"""The simulated gateway as one object: its books, idempotency keys, timing and webhooks.

An intent answers `processing` at once; its outcome is decided by the card token and reported
later by webhook, after `settle_ms` (or `slow_ms` for `tok_slow`). One whose card asks for 3-D
Secure answers `requires_action` and waits for its challenge to be answered (`challenge.py`).
Settlements and deliveries are background tasks of this object, all stopped by `stop()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import msgspec
from aiohttp import web

from sim.payments.idempotency import IdempotencyCache
from sim.payments.ledger import (
    CancelIntent,
    ChallengeOutcome,
    CreateIntent,
    CreateRefund,
    Intent,
    Ledger,
    Outcome,
    Refund,
)
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

    def create_intent(self, request: CreateIntent, challenge_url: Callable[[str], str]) -> Intent:
        """A new intent; it settles later, or waits for its 3-D Secure challenge, whose page is
        at `challenge_url(intent id)`."""
        intent, outcome, slow = self.ledger.create_intent(request, challenge_url)
        if outcome != "challenge":
            self._settle_later(intent.id, outcome, slow=slow)
        return intent

    def answer_challenge(self, intent_id: str, outcome: ChallengeOutcome) -> Intent:
        """The traveler's answer to a challenge: `complete` goes on as `tok_visa` (settles
        after `settle_ms`), `fail` fails it at once. Raises `ChallengeAnswered` for a second
        answer (nothing changes)."""
        event = self.ledger.answer_challenge(intent_id, outcome)
        if event is None:
            self._settle_later(intent_id, "succeed", slow=False)
        else:
            self.webhooks.emit(event)
        return self.ledger.intents[intent_id]

    def cancel(self, intent_id: str, request: CancelIntent) -> Intent:
        """Cancel an intent not charged (`Ledger.cancel`); `payment_intent.canceled` follows by
        webhook."""
        intent, event = self.ledger.cancel(intent_id, request)
        self.webhooks.emit(event)
        return intent

    def _settle_later(self, intent_id: str, outcome: Outcome, *, slow: bool) -> None:
        delay_ms = self.timing.slow_ms if slow else self.timing.settle_ms
        task = asyncio.create_task(self._settle(intent_id, outcome, delay_ms / 1000))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

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
