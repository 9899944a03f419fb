"""An order's money as one set: every charge the gateway captured for it, and what each has left.

An order is paid by its own payment (`payments`), then possibly by the difference of a flight
change to a dearer slice (`order_changes.due_amount > 0`, charged to its own intent) and by seats
bought after booking (`seat_charges`). What went back already counts against the charge it left:
every refund of a change to a cheaper slice and of a cancellation is split into parts, one per
charge, in `order_refunds` (owed or refunded: an owed part is money no longer the order's).
Money the old single-payment path is giving back (a payment `refunding` or `refunded`: a late
capture, a failed ticketing) is not the order's to split. A part counts its whole amount, the
money the gateway's dashboard gave back of it (`by_gateway`) included; and a charge one of whose
parts asked all it had left after finding money given back there, or found nothing
(payment/charge_left.py, `emptied_charge`) holds nothing more, whatever the sums say: the
dashboard may have given back more than the part counts (payment/sql/0214, 0216).

`split` is pure: a refund spread over the charges, latest first (the last thing bought goes back
first, as a card statement reads), each never more than it has left. A change's refund is fare
money: it takes from the fare's charges before any seat's (`fare_first`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import asyncpg
import msgspec

from payment.seat_charges import PREFIX as SEAT_CHARGE

NOTHING = Decimal("0.00")

# `left`: what the charge took minus what was given back of it already; nothing once the
# gateway's dashboard emptied it (a part that asked all it had left, or found nothing: 0216).
_CHARGES = """
WITH charges AS (
    SELECT p.id, p.gateway_intent_id AS intent_id, p.amount, p.created_at
    FROM payments p
    WHERE p.order_id = $1 AND p.status = 'succeeded' AND p.gateway_intent_id IS NOT NULL
    UNION ALL
    SELECT c.id, c.payment_intent_id, c.due_amount, coalesce(c.confirmed_at, c.created_at)
    FROM order_changes c
    WHERE c.order_id = $1 AND c.status = 'confirmed' AND c.due_amount > 0
      AND c.payment_intent_id IS NOT NULL
    UNION ALL
    SELECT s.id, s.gateway_intent_id, s.amount, s.created_at
    FROM seat_charges s
    WHERE s.order_id = $1 AND s.status = 'succeeded' AND s.gateway_intent_id IS NOT NULL
)
SELECT c.id, c.intent_id, c.amount, c.created_at,
       CASE WHEN back.emptied THEN 0 ELSE c.amount - coalesce(back.given, 0) END AS left
FROM charges c
LEFT JOIN LATERAL (
    SELECT sum(r.amount) AS given, bool_or(r.emptied_charge) AS emptied
    FROM order_refunds r WHERE r.charge_id = c.id
) back ON true
ORDER BY c.created_at DESC, c.id DESC"""


class Charge(msgspec.Struct, frozen=True):
    """One captured charge of an order: `pay_…` (its payment), `och_…` (a change's difference)
    or `sch_…` (seats bought later); `left` is what may still be refunded of it."""

    id: str
    intent_id: str
    amount: Decimal
    left: Decimal
    created_at: dt.datetime


class Part(msgspec.Struct, frozen=True):
    """What one charge gives back of a refund."""

    charge: Charge
    amount: Decimal


async def charges_of(conn: asyncpg.Connection, order_id: str, *, timeout: float) -> list[Charge]:
    """The order's captured charges that still hold money, latest first."""
    rows = await conn.fetch(_CHARGES, order_id, timeout=timeout)
    charges = [Charge(**{name: row[name] for name in row.keys()}) for row in rows]  # noqa: SIM118
    return [c for c in charges if c.left > 0]


def describe(parts: list[tuple[str, Decimal]], currency: str) -> str:
    """`"80.00 USD to och_…, 20.00 USD to pay_…"`: what went (or goes) back where."""
    return ", ".join(f"{amount} {currency} to {charge}" for charge, amount in parts)


def describe_given(parts: list[tuple[str, Decimal, Decimal]], currency: str) -> str:
    """`describe` for what went back, each amount the gateway gave some of itself (its
    dashboard: a part's `by_gateway`) saying so: `"100.00 USD to pay_… (10.00 USD of it by the
    gateway), 25.00 USD to sch_…"`."""
    return ", ".join(
        describe([(charge, amount)], currency)
        + (f" ({by} {currency} of it by the gateway)" if by > 0 else "")
        for charge, amount, by in parts
    )


def held(charges: list[Charge]) -> Decimal:
    """What the order's charges hold, all together: what the traveler paid, net."""
    return sum((c.left for c in charges), NOTHING)


def fare_first(charges: list[Charge]) -> list[Charge]:
    """`charges` with the fare's (the order's payment, a change's difference) before seats
    bought later, each group in its order: a change's difference is fare money, and a seat the
    traveler keeps must not read as refunded because it was the last thing bought."""
    return sorted(charges, key=lambda charge: charge.id.startswith(SEAT_CHARGE))


def split(charges: list[Charge], amount: Decimal) -> list[Part]:
    """`amount` spread over `charges` in their order, each part at most what its charge has
    left; `ValueError` when they hold less than `amount`."""
    parts: list[Part] = []
    rest = amount
    for charge in charges:
        if rest <= 0:
            break
        take = min(rest, charge.left)
        parts.append(Part(charge, take))
        rest -= take
    if rest > 0:
        raise ValueError(f"the charges hold {amount - rest}, less than the {amount} to refund")
    return parts
