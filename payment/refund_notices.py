"""Refunds no order transition tells of, told to the traveler once the money is back.

A paid order's refund moves it `paid → refunded`, and that transition's `payment.refunded` tells
the traveler. Other refunds move no order, so they are told here, by an event of their own written
in the transaction that records them refunded:

- `order.change_refunded`: a change to a cheaper slice owes its difference in parts, one per
  charge it comes back from (payment/cancellation_refunds.py), and the order stays `paid`. The
  step that records a change's last part refunded writes it. The change's parts are locked
  first, so of two askers settling two parts at once one sees the other's, and exactly one of
  them finds nothing owed: one event per change.
- `payment.returned`: a charge the order never took (the card was charged after we had given
  the payment up, and told the traveler it failed), given back whole (payment/refunds.py).
- `order.seat_charge_returned`: a paid seat change the airline refused once the card was
  charged, given back (payment/seat_charges.py; `order.seat_change_refunded` said it would be).
"""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import msgspec

from booking.events import EventType, new_event
from booking.history_details import HistoryStep, details_json
from booking.pg import Database
from booking.rows import events_insert, events_json
from payment.repository import orders_in

_LOCK_PARTS = (
    "SELECT id FROM order_refunds WHERE order_id = $1 AND change_id = $2 ORDER BY id FOR UPDATE"
)
_PARTS = """
SELECT count(*) FILTER (WHERE status = 'owed') AS owed, sum(amount) AS amount,
       array_agg(charge_id) AS charges
FROM order_refunds WHERE order_id = $1 AND change_id = $2"""
_EVENTS = events_insert(2)
# A history step that moves nothing: the order as it is, with `reason` (its code derived from it,
# booking/sql/0140), its details (booking/sql/0154) and, for a refund the gateway refused, the
# gateway's code (booking/sql/0143).
_NOTE = """
INSERT INTO order_history
    (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor,
     decline_code, details)
SELECT id, status, status, payment_status, payment_status, $2, $3, $4, $5::jsonb
FROM orders WHERE id = $1"""


async def note(
    conn: asyncpg.Connection,
    db: Database,
    order_id: str,
    step: HistoryStep,
    actor: str,
    *,
    code: str | None = None,
) -> None:
    """Write `step` on the order's history, its status unchanged, in `conn`'s transaction."""
    await conn.execute(
        _NOTE, order_id, step.reason[:500], actor, code, details_json(step.details),
        timeout=db.timeout_s,
    )  # fmt: skip


async def lock_change_parts(
    conn: asyncpg.Connection, order_id: str, change_id: str, *, timeout: float
) -> None:
    """Take the change's parts' row locks, in the transaction that records one refunded."""
    await conn.execute(_LOCK_PARTS, order_id, change_id, timeout=timeout)


async def tell_if_all_back(
    conn: asyncpg.Connection, db: Database, order_id: str, change_id: str
) -> None:
    """Write `order.change_refunded` when none of the change's parts is owed any more (after
    `lock_change_parts`, in the transaction that recorded the last one)."""
    parts = await conn.fetchrow(_PARTS, order_id, change_id, timeout=db.timeout_s)
    if parts is None or parts["owed"] or parts["amount"] is None:
        return
    card = await card_of(conn, list(parts["charges"]), timeout=db.timeout_s)
    await tell(conn, db, order_id, "order.change_refunded", parts["amount"], card)


async def tell(
    conn: asyncpg.Connection,
    db: Database,
    order_id: str,
    type: EventType,
    amount: Decimal,
    card_last4: str | None,
) -> None:
    """Write `type` for `order_id` as it is, with the refund's amount and card, in `conn`'s
    transaction."""
    order = await orders_in(conn, db).get(order_id)
    if order is None:
        return
    snapshot = msgspec.structs.replace(
        order.snapshot(), refund_amount=amount, refund_card_last4=card_last4
    )
    event = new_event(type, snapshot, order.contact(), owner=order.owner)
    await conn.execute(_EVENTS, order_id, events_json([event]), timeout=db.timeout_s)


# Every charge of an order that can be refunded: its payment, the differences flight changes
# charged, the seats bought after booking (order_refunds.charge_id: pay_…, och_…, sch_…).
_CARDS = """
SELECT DISTINCT card_last4 FROM (
    SELECT id, card_last4 FROM payments WHERE id = ANY($1::text[])
    UNION ALL SELECT id, card_last4 FROM order_changes WHERE id = ANY($1::text[])
    UNION ALL SELECT id, card_last4 FROM seat_charges WHERE id = ANY($1::text[])
) charges"""


async def card_of(conn: asyncpg.Connection, charge_ids: list[str], *, timeout: float) -> str | None:
    """The last four digits of the one card every charge was made on, for the traveler's mail;
    None when a charge names no card (made before its card was kept, or the gateway named
    none), or they name more than one."""
    cards = await conn.fetch(_CARDS, charge_ids, timeout=timeout)
    return cards[0]["card_last4"] if len(cards) == 1 else None
