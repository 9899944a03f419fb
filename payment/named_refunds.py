"""Who gave back what of a gateway intent: every refund of ours names what asked it in the
refund's metadata (`REFUND_PART`: a cancellation's or a change's part, `rfd_…`; a payment's whole
refund, `pay_…`; a seat charge's, `sch_…`), which the gateway lists on the intent's refunds, so a
refund naming nothing was made without us (its dashboard), or by a release before refunds named
themselves (nothing tells those apart: read as the dashboard's, which moves no money, only who
gave it).

One path for every refund of ours whose key already moved money with other figures
(`idempotency_error`): `left_to_ask` says what it asks anew, under a new key, and how much of it
the dashboard gave (recorded as the gateway's, `by_gateway`: payment/sql/0214, 0218), and `ask`
asks it named. payment/charge_left.py (a cancellation's parts), payment/refunds.py (a payment's
whole refund) and payment/seat_charges.py (a seat charge's) all take it.

Kept free of payment/ledger.py, which imports payment/seat_charges.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from booking.pg import Database
from payment import errors
from payment.gateway import PaymentGateway, owed_after
from payment.model import REFUND_PART, GatewayIntent, GatewayRefund, ListedRefund

NOTHING = Decimal("0.00")

# What we recorded of the intent: the gateway's refunds our parts (and a payment's own whole
# refund) were answered with, and the dashboard's money our parts, payments and seat charges
# counted already (`by_gateway`), each once.
_RECORDED = """
SELECT coalesce((SELECT array_agg(gateway_refund_id) FROM (
                     SELECT gateway_refund_id FROM order_refunds WHERE intent_id = $1
                     UNION ALL
                     SELECT gateway_refund_id FROM payments WHERE gateway_intent_id = $1
                 ) ours WHERE gateway_refund_id IS NOT NULL), '{}') AS refunds,
       (SELECT coalesce(sum(by_gateway), 0) FROM order_refunds WHERE intent_id = $1)
       + (SELECT coalesce(sum(by_gateway), 0) FROM payments WHERE gateway_intent_id = $1)
       + (SELECT coalesce(sum(by_gateway), 0) FROM seat_charges WHERE gateway_intent_id = $1)
       AS counted"""


async def ask(
    gateway: PaymentGateway,
    *,
    intent_id: str,
    amount: Decimal,
    key: str,
    name: str,
    timeout_s: float,
) -> GatewayRefund:
    """The gateway refund of `amount` under `key`, named `name`. A key a release before this one
    asked with the same figures but no name answers `idempotency_error` named: asked unnamed,
    that ask's answer is replayed, never made twice (`IdempotencyKeyReused` when that differs
    too: the key moved other money)."""
    try:
        return await gateway.refund(
            intent_id=intent_id, amount=amount, idempotency_key=key, timeout=timeout_s,
            metadata={REFUND_PART: name},
        )  # fmt: skip
    except errors.IdempotencyKeyReused:
        return await gateway.refund(
            intent_id=intent_id, amount=amount, idempotency_key=key, timeout=timeout_s
        )


async def left_to_ask(
    db: Database, intent: GatewayIntent, name: str, ours: Decimal, given: Decimal
) -> tuple[Decimal, Decimal]:
    """What the refund named `name`, owing `ours` of `intent`, asks anew after its key moved
    other money, and how much of it the dashboard gave back (`asked_anew`). A gateway that does
    not list refunds: all it gave back beyond `given` (what our other refunds gave, as the
    caller recorded it) is taken off, as ours (nothing tells the dashboard's apart)."""
    if intent.refunds is None:
        return max(owed_after(intent, ours, given), NOTHING), NOTHING
    refunds, counted = await recorded(db, intent.id)
    return asked_anew(name, ours, intent.refunds, refunds, counted)


async def recorded(db: Database, intent_id: str) -> tuple[frozenset[str], Decimal]:
    """The ids of the intent's refunds we recorded, and the dashboard's money counted already."""
    async with db.connection() as conn:
        [(refunds, counted)] = await conn.fetch(_RECORDED, intent_id, timeout=db.timeout_s)
    return frozenset(refunds), counted


def asked_anew(
    name: str,
    ours: Decimal,
    refunds: Sequence[ListedRefund],
    recorded: frozenset[str],
    counted: Decimal,
) -> tuple[Decimal, Decimal]:
    """What the refund named `name`, asked anew, asks of the gateway, and how much of it the
    gateway's dashboard gave back (pure), from the intent's `refunds`, those we `recorded`
    (their ids) and the dashboard's money counted already. The refunds recorded by nobody are
    this one's own (asked under a key of it whose answer nobody recorded), another of ours (in
    flight), or the dashboard's; the dashboard's money nobody counted yet goes to this one
    first, as a shrink counts it (payment/charge_left.py), so it reads as the gateway's."""
    own = sum((r.amount for r in refunds if r.id not in recorded and r.part == name), NOTHING)
    rest = max(ours - own, NOTHING)
    by_gateway = min(uncounted_dashboard(refunds, recorded, counted), rest)
    return rest - by_gateway, by_gateway


def uncounted_dashboard(
    refunds: Sequence[ListedRefund], recorded: frozenset[str], counted: Decimal
) -> Decimal:
    """The money the intent's dashboard gave back (its refunds naming nothing, none recorded)
    that none of ours counted yet (pure)."""
    dashboard = sum((r.amount for r in refunds if r.id not in recorded and r.part is None), NOTHING)
    return max(dashboard - counted, NOTHING)
