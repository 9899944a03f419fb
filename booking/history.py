"""An order's history as its traveler (or support) reads it: `GET /v1/orders/{id}/history`.

Every change of status or payment status is an `order_history` row written in the transaction
of the change (booking/repository.py), with the actor that made it: the order's owner (the
traveler), one of our own processes (the hold sweeper, the reconciler, the payment webhook's
settlement, the booking flow itself) or anyone else — a support agent acting under their own
identity. Pure mapping here: who is shown how.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import msgspec

from booking.history_codes import HistoryCode
from booking.history_details import HistoryDetails, stored_details
from booking.history_reasons import read_details
from booking.model import Order, Passenger
from booking.rows import HistoryEntry, HistoryRow
from kernel.auth import Principal

ActorType = Literal["traveler", "support", "system"]

# The actors our own processes write (booking/sweeper.py, booking/reconciler.py,
# payment/settlement.py, payment/reconciler.py, booking/creation.py, booking/cancellations.py).
SYSTEM_ACTORS: dict[str, str] = {
    "booking": "booking",
    "sweeper": "sweeper",
    "change-sweeper": "change-sweeper",  # booking/change_sweeper.py
    "reconciler": "reconciler",
    "payments": "webhook",  # the gateway's webhook, settled by payment/settlement.py
    "gateway": "webhook",  # a refund the gateway reported (charge.refunded)
}


class Actor(msgspec.Struct, frozen=True, omit_defaults=True):
    """Who made a change. `name`: the process for `system` (sweeper, reconciler, webhook,
    booking); the agent's subject for `support`, shown to support only; never for `traveler`."""

    type: ActorType
    name: str | None = None


class HistoryItem(msgspec.Struct, frozen=True):
    """One change: from what to what (status and payment status), why, who and when.

    `code` names the kind of change (booking/history_codes.py) beside `reason`, its words;
    null for a reason of a shape without a code: show `reason` then. `decline_code`: the card
    gateway's code on a step that records a declined card (`card_refused`, `payment_failed`,
    a `change_failed` whose card was declined) or a refund it refused (`refund_retrying`), else
    null; any text the gateway sent (docs/api.md), never to be read out of `reason`.
    `details`: what the reason holds, as fields (booking/history_details.py), for a client to
    word the step by; null for a step without any, or one whose reason it cannot read.
    """

    at: dt.datetime
    from_status: str | None
    to_status: str
    from_payment_status: str | None
    to_payment_status: str
    reason: str
    actor: Actor
    code: HistoryCode | None = None
    decline_code: str | None = None
    details: HistoryDetails | None = None


class OrderHistory(msgspec.Struct, frozen=True):
    """Every change of the order, oldest first (its creation is the first)."""

    order_id: str
    data: tuple[HistoryItem, ...]


def actor_of(actor: str, order: Order, viewer: Principal) -> Actor:
    if actor == order.owner:
        return Actor("traveler")
    if actor in SYSTEM_ACTORS:
        return Actor("system", SYSTEM_ACTORS[actor])
    return Actor("support", actor if viewer.is_support else None)


def details_of(entry: HistoryRow, passengers: Sequence[Passenger]) -> HistoryDetails | None:
    """The step's details as its writer stored them; read back from its reason for a row written
    before they were stored (booking/history_reasons.py)."""
    if entry.details is not None:
        return stored_details(entry.details)
    return read_details(entry.code, entry.reason, passengers)


def history_view(order: Order, entries: list[HistoryRow], viewer: Principal) -> OrderHistory:
    return OrderHistory(
        order_id=order.id,
        data=tuple(
            HistoryItem(
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                from_payment_status=e.from_payment_status,
                to_payment_status=e.to_payment_status,
                reason=e.reason,
                actor=actor_of(e.actor, order, viewer),
                code=e.code,  # type: ignore[arg-type]  # the database's vocabulary, tested
                decline_code=e.decline_code,
                details=details_of(e, order.passengers),
            )
            for e in entries
        ),
    )


class ExportedStep(HistoryEntry, frozen=True):
    """A step as the traveler's data export gives it (`GET /v1/me/export`): as stored, and its
    details as `GET /v1/orders/{id}/history` serves them (`HistoryItem.details`)."""

    details: HistoryDetails | None = None


def exported_steps(
    entries: Sequence[HistoryRow], passengers: Sequence[Passenger]
) -> tuple[ExportedStep, ...]:
    """`entries` of an order with `passengers`, each with its details as the history route
    gives them: stored, or read back from the reason of a step written before they were."""
    steps = []
    for entry in entries:
        stored = msgspec.structs.asdict(entry)
        del stored["details"]
        steps.append(ExportedStep(**stored, details=details_of(entry, passengers)))
    return tuple(steps)
