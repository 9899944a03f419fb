"""Order events synced to the helpdesk, so an agent sees the booking as it is now.

A consumer of the event stream in its own consumer group (`support-sync`): for each order event
an agent cares about (confirmed, changed, cancelled, refunded, amended) about an order that has
a support case, it posts a booking update to the helpdesk. The helpdesk dedups updates on the
event's id, and an entry is acknowledged only once posted, so a redelivery (a crash, a retry of
our own pending entries) is harmless: idempotent end to end. A helpdesk that does not answer
leaves the entry pending; it is read again after `retry_s`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import redis.asyncio as redis

from kernel.logs import describe
from support import metrics
from support.helpdesk import Helpdesk, HelpdeskUnavailable
from support.repository import PgSupportRepository

logger = logging.getLogger(__name__)

GROUP = "support-sync"
SYNCED = frozenset(
    {
        "order.confirmed",
        "order.changed",
        "order.cancelled",
        "payment.refunded",
        "order.name_corrected",
        "order.seats_changed",
    }
)


class _Order(msgspec.Struct, frozen=True):
    id: str
    booking_reference: str
    status: str
    payment_status: str


class _Event(msgspec.Struct, frozen=True):
    id: str
    type: str
    order: _Order


_decode = msgspec.json.Decoder(_Event).decode


class OrderSync:
    def __init__(
        self,
        client: redis.Redis,
        stream: str,
        helpdesk: Helpdesk,
        repository: PgSupportRepository,
        *,
        consumer: str,
        block_ms: int = 1000,
        retry_s: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._redis = client
        self._stream = stream
        self._helpdesk = helpdesk
        self._repository = repository
        self._consumer = consumer
        self._block_ms = block_ms
        self._retry_s = retry_s
        self._sleep = sleep  # how a pause is taken (a test counts them)
        self._failures = 0  # rounds failed in a row

    async def run(self) -> None:
        """Until cancelled; Redis or the helpdesk failing is logged and retried."""
        metrics.SYNCED.start()
        while True:
            try:
                await self._ensure_group()
                await self._round("0")  # our own pending entries first (a retry)
                while await self._round(">"):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep syncing whatever one round met
                self._failed("support sync failed", describe(exc))
                await self._sleep(self._retry_s)

    async def _ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, GROUP, id="$", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _round(self, start: str) -> bool:
        """One read; False when an entry stays pending (read it again later)."""
        answer: Any = await self._redis.xreadgroup(
            GROUP, self._consumer, {self._stream: start}, count=50,
            block=None if start == "0" else self._block_ms,
        )  # fmt: skip
        # One XACK per read for the entries synced, not one per entry: every API process runs
        # this consumer, and two order events per hold made it two Redis round trips per order.
        # Entries synced but not acked when a round fails are read again: harmless, as the
        # helpdesk dedups on the event's id.
        synced: list[Any] = []
        unavailable = None
        for _stream, entries in answer or []:
            for entry_id, fields in entries:
                try:
                    await self._sync(fields)
                except HelpdeskUnavailable as exc:
                    unavailable = exc
                    break
                synced.append(entry_id)
        if synced:
            await self._redis.xack(self._stream, GROUP, *synced)
        if unavailable is not None:
            self._failed("support sync: helpdesk unavailable", str(unavailable))
            await self._sleep(self._retry_s)
            return False
        if self._failures:
            logger.warning("support sync resumed after %d failed rounds", self._failures)
            self._failures = 0
        return True

    def _failed(self, what: str, why: str) -> None:
        # The first failure of an outage, then every 20th. Every API process runs this sync and
        # retries each second: one line per retry was 3,600 lines an hour per process while
        # Redis was down, burying what else the outage did.
        self._failures += 1
        if self._failures == 1 or self._failures % 20 == 0:
            logger.warning("%s (%d in a row), retrying: %s", what, self._failures, why)

    async def _sync(self, fields: dict[bytes, bytes]) -> None:
        if fields.get(b"type", b"").decode("utf-8", "replace") not in SYNCED:
            return
        try:
            event = _decode(fields.get(b"event", b""))
        except msgspec.DecodeError:
            return  # not an order event we can read: nothing to sync
        if not await self._repository.has_cases(event.order.id):
            return
        await self._helpdesk.booking_update(
            event.order.booking_reference,
            {
                "id": event.id,
                "type": event.type,
                "status": event.order.status,
                "payment_status": event.order.payment_status,
            },
        )
        metrics.SYNCED.inc()
