"""The reconciler: resolves orders left `pending` by asking the airline what became of their hold.

An order stays `pending` when its process died between the airline's hold and our update, or
when the hold's outcome was unknown (the airline did not answer in time). Once an order has been
pending for `after_s` — longer than any order request takes, so its request is over — and no
request holds its Idempotency-Key's lease (a traveler's retry resuming it), the reconciler asks
the airline for the hold made under our reference (the order id):

- found and holding seats → `held` with the airline's locator and deadline (`order.held`), and the
  answer of the order's Idempotency-Key stored with it: the traveler retrying with that key gets
  the `201` of this very order (an `instant` order's answer is left to its retry, which starts
  its payment first);
- not found (the hold request never arrived) or already released → `failed` (`order.failed`),
  and the key answers what a retry would have been told about a failed order: `409` (`410` when
  the airline released the seats);
- the airline cannot be reached → the order is left as it is and asked about next round.

Rounds claim their orders with `FOR UPDATE SKIP LOCKED` (booking/claims.py), so processes never
ask twice about one order in one round, and every change is a guarded transition besides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Literal, get_args

import msgspec
from prometheus_client import Counter

from booking.claims import AIRLINE_TIMEOUT_S, BATCH_SIZE, Batch, bounded_calls, claimed, configured
from booking.creation import created_response
from booking.history_details import HistoryStep, noted
from booking.idempotency import Completion, StoredResponse, stored_error
from booking.limits import held_change
from booking.model import Order
from booking.pg import Database
from booking.seat_booking import SeatsAtBooking
from booking.state import Change
from connectors import errors
from connectors.base import Connector
from connectors.model import Hold
from kernel.counters import start_series
from kernel.errors import Conflict, DomainError, Gone, ServiceUnavailable
from kernel.logs import describe

logger = logging.getLogger(__name__)

ACTOR = "reconciler"
Outcome = Literal["held", "failed", "unreachable", "changed"]
RECONCILED = Counter(
    "skyfare_orders_reconciled_total",
    "Pending orders the reconciler looked at, by outcome: held, failed (the airline has no "
    "hold), unreachable (left pending), changed (someone else moved it first).",
    ["outcome"],
)

# Not while a request holds the lease of the order's Idempotency-Key: a traveler's retry is
# resuming the order (its hold may be on its way to the airline) and settles it itself.
_DUE = (
    "o.status = 'pending' AND o.created_at < now() - make_interval(secs => $1)"
    " AND o.connector = ANY($2::text[]) AND NOT EXISTS (SELECT FROM idempotency_keys k"
    " WHERE k.owner = o.owner AND k.resource_id = o.id AND k.locked_until > now())"
)
# The key whose request created the order (its recovery point), while it has no answer.
_OPEN_KEY = """
SELECT key FROM idempotency_keys
WHERE owner = $1 AND resource_id = $2 AND response_status IS NULL LIMIT 1"""
NOT_FOUND = "the airline has no hold for this order: its hold request never arrived"
RELEASED = "the seats held for this order were released by the airline"


class Reconciler:
    """Settles `pending` orders older than `after_s` with what their airline says."""

    def __init__(
        self,
        db: Database,
        connectors: Mapping[str, Connector],
        *,
        after_s: float,
        airline_timeout_s: float = AIRLINE_TIMEOUT_S,
        batch_size: int = BATCH_SIZE,
        hold_window_s: float | None = None,
    ) -> None:
        self._db = db
        self._hold_window_s = hold_window_s
        self._connectors = dict(connectors)
        self._after_s = after_s
        self._airline_timeout_s = airline_timeout_s
        self.batch_size = batch_size
        self._seats = SeatsAtBooking(timeout_s=airline_timeout_s)
        # This process reconciles orders: its series at 0 from now on (a rate() sees the first).
        start_series(RECONCILED, get_args(Outcome))

    async def reconcile_once(self) -> int:
        """One round: how many orders it settled (held or failed)."""
        args = (self._after_s, configured(self._connectors))
        async with claimed(
            self._db, _DUE, args, order_by="o.created_at", limit=self.batch_size
        ) as batch:
            if not batch.orders:
                return 0
            answers = await bounded_calls(
                [self._retrieve(order) for order in batch.orders],
                timeout_s=self._airline_timeout_s,
            )
            outcomes = [
                await self._settle(batch, order, answer)
                for order, answer in zip(batch.orders, answers, strict=True)
            ]
        for outcome in outcomes:
            RECONCILED.labels(outcome).inc()
        return sum(outcome in ("held", "failed") for outcome in outcomes)

    async def _retrieve(self, order: Order) -> Hold:
        connector = self._connectors[order.connector]
        return await connector.retrieve(order.id, timeout=self._airline_timeout_s)

    async def _settle(self, batch: Batch, order: Order, answer: object) -> Outcome:
        if isinstance(answer, Hold) and answer.status != "cancelled" and order.seats:
            # The seats it asked for, as its own request would have given them after the hold.
            try:
                refusal = await self._seats.hold(
                    self._connectors[order.connector], order, answer.locator
                )
            except ServiceUnavailable as exc:
                _log_unreachable(order, exc)
                return "unreachable"
            if refusal is not None:
                found = _found("the airline refused a seat")
                change = Change(
                    from_status=("pending",),
                    to_status="failed",
                    reason=found.reason,
                    details=found.details,
                    failure_reason=refusal.detail[:500],
                )
                answer_error = stored_error(refusal)
                return await self._transition(
                    batch, order, change, lambda _: answer_error, "failed"
                )
        if isinstance(answer, Hold) and answer.status != "cancelled":
            # The same change as an order held by its own request (OrderService).
            found = _found("held at the airline")
            change = held_change(order, answer, self._hold_window_s, found.reason)
            change = msgspec.structs.replace(change, details=found.details)
            # An instant order's 201 is stored by its retry, once its payment has started.
            render = None if order.type == "instant" else created_response
            return await self._transition(batch, order, change, render, "held")
        if isinstance(answer, Hold | errors.HoldNotFound):
            reason, error = _failure(answer)
            found = _found("the airline has no hold")
            change = Change(
                from_status=("pending",),
                to_status="failed",
                reason=found.reason,
                details=found.details,
                failure_reason=reason,
            )
            answer_error = stored_error(error)
            return await self._transition(batch, order, change, lambda _: answer_error, "failed")
        _log_unreachable(order, answer)
        return "unreachable"

    async def _transition(
        self,
        batch: Batch,
        order: Order,
        change: Change,
        render: Callable[[Order], StoredResponse] | None,
        outcome: Outcome,
    ) -> Outcome:
        completion = None
        if render is not None:
            key = await batch.conn.fetchval(
                _OPEN_KEY, order.owner, order.id, timeout=self._db.timeout_s
            )
            if key is not None:
                completion = Completion(order.owner, key, render)
        changed = await batch.repository.transition(
            order.id, change, actor=ACTOR, completion=completion
        )
        if changed is None:  # cannot happen while we hold its row; the guard says so anyway
            return "changed"
        logger.info("order %s: reconciled, now %s", order.id, changed.status)
        return outcome


def _found(what: str) -> HistoryStep:
    """The history step of what the reconciler found (code `found_by_reconciler`)."""
    return HistoryStep(f"{what} (found by the reconciler)", noted(what))


def _failure(answer: Hold | errors.HoldNotFound) -> tuple[str, DomainError]:
    """The failure reason, and what the order's request is answered: booking's answers for an
    order whose hold lapsed (410) or that the airline did not hold (409)."""
    if isinstance(answer, Hold):
        return RELEASED, Gone(RELEASED)
    return NOT_FOUND, Conflict(f"the airline refused the hold: {NOT_FOUND}")


def _log_unreachable(order: Order, answer: object) -> None:
    if isinstance(answer, errors.ConnectorError) and not isinstance(
        answer, errors.SupplierRejected
    ):
        logger.warning(
            "order %s: %s unreachable (%s), pending until the next round",
            order.id, order.connector, answer.status,
        )  # fmt: skip
    else:
        # An exception the connector did not translate, as a rule (gather's result).
        shown = describe(answer) if isinstance(answer, BaseException) else repr(answer)
        logger.error(
            "order %s: unexpected answer from %s, pending until the next round: %s",
            order.id, order.connector, shown,
        )  # fmt: skip
