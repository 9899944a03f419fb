"""The hold sweeper: expires held orders whose payment did not come by `payment_required_by`.

For each such order it cancels the booking at the airline first (the seats go back on sale), then
moves it `held → expired` (`order.expired`). The airline first: an order is never `expired` while
its seats are still held, and an airline that cannot be reached leaves the order `held` to be
swept next round (cancelling twice is not an error at the airline).

An order whose payment is `processing` or `paid` is never expired: the guard admits only
`unpaid` and `failed`. Rounds claim their orders with `FOR UPDATE SKIP LOCKED`
(booking/claims.py): two sweepers never cancel the same booking in one round, and a payment that
starts while its order is being swept waits for the sweep to commit and then finds it `expired`,
so no payment starts on seats that were just released.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Literal, get_args

from prometheus_client import Counter

from booking.claims import AIRLINE_TIMEOUT_S, BATCH_SIZE, Batch, bounded_calls, claimed, configured
from booking.model import Order, PaymentStatus
from booking.pg import Database
from booking.state import Change
from connectors import errors
from connectors.base import Connector
from kernel.counters import start_series
from kernel.logs import describe

logger = logging.getLogger(__name__)

ACTOR = "sweeper"
Outcome = Literal["expired", "unreachable", "refused", "changed"]
SWEPT = Counter(
    "skyfare_holds_swept_total",
    "Unpaid holds past payment_required_by the sweeper looked at, by outcome: expired (released "
    "at the airline), unreachable and refused (the airline did not cancel; left held), changed "
    "(someone else moved it first).",
    ["outcome"],
)

EXPIRABLE_PAYMENT: tuple[PaymentStatus, ...] = ("unpaid", "failed")
_DUE = (
    "o.status = 'held' AND o.payment_required_by <= now()"
    " AND o.payment_status = ANY($1::text[]) AND o.connector = ANY($2::text[])"
)
EXPIRE = Change(
    from_status=("held",),
    from_payment=EXPIRABLE_PAYMENT,
    to_status="expired",
    reason="not paid by payment_required_by: released at the airline",
)


class _Kept:
    """The airline did not release the booking; the order stays `held` for now."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


class HoldSweeper:
    """Releases unpaid holds past their deadline at the airline, then expires their orders."""

    def __init__(
        self,
        db: Database,
        connectors: Mapping[str, Connector],
        *,
        airline_timeout_s: float = AIRLINE_TIMEOUT_S,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._db = db
        self._connectors = dict(connectors)
        self._airline_timeout_s = airline_timeout_s
        self.batch_size = batch_size
        # This process sweeps holds: its series at 0 from now on (a rate() sees the first).
        start_series(SWEPT, get_args(Outcome))

    async def sweep_once(self) -> int:
        """One round: how many orders it expired."""
        args = (list(EXPIRABLE_PAYMENT), configured(self._connectors))
        async with claimed(
            self._db, _DUE, args, order_by="o.payment_required_by", limit=self.batch_size
        ) as batch:
            if not batch.orders:
                return 0
            released = await bounded_calls(
                [self._release(order) for order in batch.orders],
                timeout_s=self._airline_timeout_s,
            )
            outcomes = [
                await self._expire(batch, order, result)
                for order, result in zip(batch.orders, released, strict=True)
            ]
        for outcome in outcomes:
            SWEPT.labels(outcome).inc()
        return outcomes.count("expired")

    async def _release(self, order: Order) -> _Kept | None:
        """Cancel the order's booking at its airline: None once no seats are held there."""
        if order.airline_locator is None:
            return None
        connector = self._connectors[order.connector]
        try:
            await connector.cancel(order.airline_locator, timeout=self._airline_timeout_s)
        except errors.HoldNotFound:
            return None  # the airline no longer knows the booking: nothing is held
        except errors.SupplierRejected as exc:
            logger.error("order %s: the airline refused to cancel: %s", order.id, exc)
            return _Kept("refused")
        except errors.ConnectorError as exc:
            logger.warning(
                "order %s: %s unreachable (%s), expiring next round",
                order.id, order.connector, exc.status,
            )  # fmt: skip
            return _Kept("unreachable")
        return None

    async def _expire(self, batch: Batch, order: Order, released: object) -> Outcome:
        if isinstance(released, _Kept):
            return released.outcome
        if isinstance(released, BaseException):  # a bug in a connector: surfaced, retried
            logger.error("order %s: cancel failed unexpectedly: %s", order.id, describe(released))
            return "refused"
        expired = await batch.repository.transition(order.id, EXPIRE, actor=ACTOR)
        if expired is None:  # cannot happen while we hold its row; the guard says so anyway
            return "changed"
        logger.info("order %s: hold expired and released at the airline", order.id)
        return "expired"
