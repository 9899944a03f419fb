"""Amendments that change no status: a passenger's name spelling corrected, the itinerary sent
again. Support agents make them (support/), so each is recorded in the order's history with its
actor, in the same transaction as the change and its outbox event (the worker mails it).

A spelling correction is not a name change: airlines allow a few characters (a typo), never
another person, so `max_changes` bounds the edit distance between the booked and the new full
name (given + family), and the order must still be live (held or confirmed).
"""

from __future__ import annotations

import asyncpg

from booking.events import EventType, new_event
from booking.history_details import HistoryDetails, HistoryName, HistoryStep, details_json
from booking.model import Order, is_order_id
from booking.pg import Database
from booking.rows import HISTORY_AND_EVENTS, SELECT_ORDER, events_json, order_from_row
from kernel.errors import Conflict, FieldError, NotFound, ValidationFailed

LIVE = ("held", "confirmed")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), case-sensitive."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def check_correction(
    order: Order, index: int, given_name: str, family_name: str, *, max_changes: int
) -> None:
    """`ValidationFailed` naming the field unless the correction is a small spelling fix."""
    if not 0 <= index < len(order.passengers):
        raise ValidationFailed([FieldError("passenger_index", "no such passenger")])
    errors = [
        FieldError(field, "must be 1 to 50 characters")
        for field, value in (("given_name", given_name), ("family_name", family_name))
        if not 1 <= len(value.strip()) <= 50
    ]
    if errors:
        raise ValidationFailed(errors)
    booked = order.passengers[index]
    changed = edit_distance(
        f"{booked.given_name} {booked.family_name}", f"{given_name} {family_name}"
    )
    if changed > max_changes:
        raise ValidationFailed(
            [FieldError("family_name", f"changes {changed} characters; at most {max_changes}")],
            "a spelling correction may change only a few characters of the name",
        )


def corrected(passenger: int, was: str, now: str) -> HistoryStep:
    """The history step of passenger `passenger`'s (from 1) name corrected (`name_corrected`)."""
    return HistoryStep(
        f"passenger {passenger} name corrected from {was} to {now}",
        HistoryDetails(name=HistoryName(passenger, was, now)),
    )


class Amendments:
    """Name-spelling corrections and itinerary re-sends, each with its history row and event."""

    def __init__(self, db: Database, *, max_name_changes: int) -> None:
        self._db = db
        self._max = max_name_changes

    async def correct_name(
        self, order_id: str, index: int, given_name: str, family_name: str, *, actor: str
    ) -> Order:
        """Correct passenger `index`'s spelling; the order as it is now. Idempotent: the same
        correction again changes nothing more than the spelling it already has."""
        async with self._db.transaction() as conn:
            order = await self._locked(conn, order_id)
            check_correction(order, index, given_name, family_name, max_changes=self._max)
            booked = order.passengers[index]
            if (booked.given_name, booked.family_name) == (given_name, family_name):
                return order
            await conn.execute(
                "UPDATE order_passengers SET given_name = $3, family_name = $4"
                " WHERE order_id = $1 AND position = $2",
                order_id, index, given_name, family_name, timeout=self._db.timeout_s,
            )  # fmt: skip
            order = await self._locked(conn, order_id)
            was, now = f"{booked.given_name} {booked.family_name}", f"{given_name} {family_name}"
            await self._record(
                conn, order, "order.name_corrected", corrected(index + 1, was, now), actor
            )
            return order

    async def resend_itinerary(self, order_id: str, *, actor: str) -> Order:
        """Send the traveler the itinerary again (the notification worker mails it)."""
        async with self._db.transaction() as conn:
            order = await self._locked(conn, order_id)
            resent = HistoryStep("itinerary resent")
            await self._record(conn, order, "order.itinerary_resent", resent, actor)
            return order

    async def _locked(self, conn: asyncpg.Connection, order_id: str) -> Order:
        row = (
            await conn.fetchrow(
                f"{SELECT_ORDER} WHERE o.id = $1 FOR UPDATE", order_id, timeout=self._db.timeout_s
            )
            if is_order_id(order_id)
            else None
        )
        if row is None:
            raise NotFound(f"no order {order_id[:64]!r}")
        order = order_from_row(row)
        if order.status not in LIVE:
            raise Conflict(f"the order is {order.status}: only a live order can be amended")
        return order

    async def _record(
        self, conn: asyncpg.Connection, order: Order, type: EventType, step: HistoryStep, actor: str
    ) -> None:
        event = new_event(type, order.snapshot(), order.contact(), owner=order.owner)
        await conn.execute(
            HISTORY_AND_EVENTS,
            order.id, order.status, order.status, order.payment_status, order.payment_status,
            step.reason, actor, None, details_json(step.details), events_json([event]),
            timeout=self._db.timeout_s,
        )  # fmt: skip
