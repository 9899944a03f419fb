"""One refund part asked of the gateway (`ask`, for payment/cancellation_refunds.py): a call
that did not answer keeps its key; a refusal counts an attempt (the next ask is a new request)
and is noted on the order's history; and the two answers that need more than that, below: a part
asking more than its charge has left at the gateway, and one asking under a key that already
moved money with other figures.

Money can go back of a charge without us (a support agent's refund at the gateway's dashboard:
payment/audit.py's `refunded_differs`), and our ledger (payment/ledger.py) still counts it whole,
so a cancellation's part on that charge asks more than the gateway holds and is refused
`amount_too_large`, every attempt, for ever. `shrink_to_left` makes the part ask what the charge
has left, as the gateway reports it, under the next attempt's key (the figures differ: a new
request); the part keeps its whole amount, the rest counted as the gateway's (`by_gateway`,
payment/sql/0214: the ledger reads its charge as empty from then on, since the part now asks all
it holds), and the order's history says it with the refusal (code `refund_retrying`,
`decline_code` `amount_too_large`), so finance and the traveler's history both see where it went.
When the gateway lists the intent's refunds, the rest counts as the gateway's only up to the
dashboard's money none of ours counted yet (payment/named_refunds.py): beyond it, the charge's
shortfall is a refund of ours not recorded yet (another part's in flight, or an older ask under
its key), which its own part counts as ours.
With nothing left at all (`amount_too_large` or `charge_already_refunded`), the part has
nothing to ask: it ends, given back at the gateway, what it asked counted as the gateway's up to
the dashboard's money, as below (`settled_elsewhere`, in words the trip's timeline shows).

Every ask names its part in the refund's metadata (`REFUND_PART`), which the gateway lists on
the intent's refunds: a refund naming no part was made without us (or by a release before
this one). A part whose key already moved money with other figures (an older process asked
another amount under it) is answered `idempotency_error`; the same ask unnamed is tried first
(a release before this one asked it so: its answer is replayed). Else `ask_anew` counts an
attempt and has the next one ask, under a new key, what the gateway has not given back of it
yet, so nothing goes back twice; the part keeps its whole amount, `asking` less
(payment/sql/0212), and the dashboard's money in it counts as the gateway's (`by_gateway`,
`asked_anew`), not ours. That money does not mark its charge emptied (`emptied_charge`, 0216):
the part did not ask all the charge had left, which may still hold money.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Literal

import asyncpg

from booking.pg import Database
from payment import errors, named_refunds
from payment.gateway import PaymentGateway
from payment.model import GatewayIntent
from payment.named_refunds import NOTHING, left_to_ask, uncounted_dashboard
from payment.refund_notices import note
from payment.refund_parts import OwedPart
from payment.refund_steps import refund_retrying, refunded, refunded_by_gateway

logger = logging.getLogger(__name__)

TOO_LARGE = "amount_too_large"
ALREADY_REFUNDED = "charge_already_refunded"
# How the order's history says a part the gateway had given back already. A change's part: its
# own `refunded` line (`<why>: refunded <amounts>`, booking/history_details.py) says who did it.
# A cancellation's: the step a whole refund at the dashboard writes (payment/settlement.py, code
# `refunded_by_gateway`), since the order's own `refunded` line, once every part is back, says
# what came back where: a second line with the amount would read as a second refund.
ELSEWHERE = "already given back by the card payment service"

Shrunk = Literal["asks_less", "nothing_left", "refused"]

_SHRINK = """
UPDATE order_refunds SET by_gateway = by_gateway + $3, asking = $4, attempt = attempt + 1,
       last_error = $5, emptied_charge = true, updated_at = now()
WHERE id = $1 AND status = 'owed' AND attempt = $2
RETURNING true"""
# What our other parts of the intent gave back through the gateway (each its amount but what
# the dashboard gave of it, `by_gateway`): the rest of what it has refunded went back without
# us, or under a key of ours with other figures. Money a part's shrink (`shrink_to_left`)
# counted as given back at the dashboard counts here again, so a part asked anew may ask less
# than its key left; it cannot leave the traveler short: a shrunk part asks all its charge has
# left (shrinking again if another part took some first), so once it is paid nothing is left
# for any part of that charge (tests/integration/payment/test_dashboard_money_counted_once.py).
_GIVEN = """
SELECT coalesce(sum(amount - by_gateway), 0) FROM order_refunds
WHERE intent_id = $1 AND id <> $2 AND status = 'refunded' AND gateway_refund_id IS NOT NULL"""
_ANEW = """
UPDATE order_refunds SET asking = $3, by_gateway = by_gateway + $4, attempt = attempt + 1,
       updated_at = now()
WHERE id = $1 AND status = 'owed' AND attempt = $2
RETURNING true"""


async def shrink_to_left(
    db: Database, gateway: PaymentGateway, part: OwedPart, *, actor: str, timeout_s: float
) -> tuple[Shrunk, Decimal]:
    """After `part` was refused `amount_too_large` (or `charge_already_refunded`): `asks_less`
    when it now asks what its charge has left, `nothing_left` when the charge has nothing left
    (the caller ends the part, with the money of it the dashboard gave back, returned with it),
    `refused` when the gateway has as much as it asks or cannot say (a plain refusal)."""
    try:
        intent = await gateway.get_intent(part.intent_id, timeout=timeout_s)
    except errors.GatewayError as exc:
        logger.warning("refund %s: cannot read its intent: %s", part.id, exc)
        return "refused", NOTHING
    if intent.amount_received is None or intent.amount_refunded is None:
        return "refused", NOTHING
    left = max(intent.amount_received - intent.amount_refunded, NOTHING)
    if left >= part.asks():
        return "refused", NOTHING
    elsewhere = await _dashboards(db, intent, part.asks() - left)
    if left == 0:
        return "nothing_left", elsewhere
    async with db.transaction() as conn:
        changed = await conn.fetchval(
            _SHRINK, part.id, part.attempt, elsewhere, left, TOO_LARGE, timeout=db.timeout_s
        )
        if changed is None:
            return "asks_less", NOTHING  # another asker got there first
        said = f"{TOO_LARGE}: {left} {part.currency} left"
        if elsewhere > 0:
            said = (
                f"{TOO_LARGE}: {elsewhere} {part.currency} of it given back at the gateway"
                f" already, {left} {part.currency} left"
            )
        step = refund_retrying(_whole(part), part.currency, gateway_said=said)
        await note(conn, db, part.order_id, step, actor, code=TOO_LARGE)
    logger.warning(
        "refund %s of order %s: %s %s of its charge went back at the gateway; asking %s, all"
        " it has left", part.id, part.order_id, elsewhere, part.currency, left,
    )  # fmt: skip
    return "asks_less", NOTHING


async def _dashboards(db: Database, intent: GatewayIntent, shortfall: Decimal) -> Decimal:
    """Of a part's `shortfall` (what it asks beyond what its charge has left), the money the
    gateway's dashboard gave back: only its money none of ours counted yet, when the gateway
    lists the intent's refunds; the rest is a refund of ours not recorded yet (another part's
    in flight, or an older ask under its key), which that part counts as ours. A gateway that
    lists none: all of it (nothing tells them apart)."""
    if intent.refunds is None:
        return shortfall
    refunds, counted = await named_refunds.recorded(db, intent.id)
    return min(uncounted_dashboard(intent.refunds, refunds, counted), shortfall)


async def ask_anew(
    db: Database, gateway: PaymentGateway, part: OwedPart, *, timeout_s: float
) -> None:
    """After `part`'s key was answered `idempotency_error`: the next attempt asks what the
    gateway has not given back of it yet, and the part counts the dashboard's money it holds as
    the gateway's (`by_gateway`, `asked_anew`), not as ours (nothing moved under this ask; the
    intent cannot be read: the same key is asked again next round, and read again)."""
    try:
        intent = await gateway.get_intent(part.intent_id, timeout=timeout_s)
    except errors.GatewayError as exc:
        logger.warning("refund %s: cannot read its intent: %s", part.id, exc)
        return
    async with db.connection() as conn:
        given = await conn.fetchval(_GIVEN, part.intent_id, part.id, timeout=db.timeout_s)
    asking, by_gateway = await left_to_ask(db, intent, part.id, part.ours(), given)
    async with db.connection() as conn:
        await conn.fetchval(_ANEW, part.id, part.attempt, asking, by_gateway, timeout=db.timeout_s)
    logger.warning(
        "refund %s of order %s: its key moved other money; asking %s %s anew (%s of it given"
        " back at the gateway)", part.id, part.order_id, asking, part.currency, by_gateway,
    )  # fmt: skip


async def settled_elsewhere(
    conn: asyncpg.Connection, db: Database, part: OwedPart, by_gateway: Decimal, actor: str
) -> None:
    """On the order's history, in the transaction that ends `part`: its charge had nothing left
    to ask, `by_gateway` of it given back at the gateway (its dashboard), the rest by a refund
    of ours not recorded yet (another part's). A cancellation's says the gateway's share, with
    its amount (none: the order's own `refunded` step says the rest); a change's, its own
    `refunded` line, with who gave it."""
    if part.change_id is None:
        if by_gateway > 0:
            step = refunded_by_gateway([(part.charge_id, by_gateway)], part.currency)
            await note(conn, db, part.order_id, step, actor)
        return
    step = refunded(f"{part.reason}, {ELSEWHERE}", [(part.charge_id, part.ours())], part.currency)
    await note(conn, db, part.order_id, step, actor)


async def ask(
    db: Database, gateway: PaymentGateway, part: OwedPart, *, actor: str, timeout_s: float
) -> tuple[str | None, Decimal | None] | None:
    """Ask the gateway for `part`: its refund's id (None: none made now) and, when its charge
    had nothing left to ask, how much of it the gateway gave back itself (None: it had);
    None while it stays owed."""
    if part.asks() <= 0:  # all of it went back under an older ask of ours (`ask_anew`)
        return None, None
    try:
        refund = await named_refunds.ask(
            gateway, intent_id=part.intent_id, amount=part.asks(), key=part.key(), name=part.id,
            timeout_s=timeout_s,
        )  # fmt: skip
    except errors.GatewayUnavailable as exc:  # maybe moved: the same key asks again later
        logger.warning("refund %s of order %s: no answer yet: %s", part.id, part.order_id, exc)
        return None
    except errors.IdempotencyKeyReused:
        # The key already moved money with other figures (an older release's refund under
        # `first_key`): the next attempt asks anew for what that one left.
        await ask_anew(db, gateway, part, timeout_s=timeout_s)
        return None
    except errors.GatewayRejected as exc:  # nothing moved (refused, no such intent, …)
        shrunk, by_gateway = "refused", NOTHING
        if exc.code in (TOO_LARGE, ALREADY_REFUNDED):
            shrunk, by_gateway = await shrink_to_left(
                db, gateway, part, actor=actor, timeout_s=timeout_s
            )
        if shrunk == "asks_less":
            return None  # the next round asks what the charge has left
        if shrunk == "refused" and exc.code == ALREADY_REFUNDED:  # its intent unread
            return None, part.asks()  # all of it, as the gateway said
        if shrunk == "refused":
            await _refused(db, part, exc, actor)
            return None
        return None, by_gateway  # nothing left to ask: record it
    return refund.id, None


async def _refused(db: Database, part: OwedPart, exc: errors.GatewayRejected, actor: str) -> None:
    """Nothing moved: the next attempt is a new request; the order's history says it once
    per kind of refusal."""
    error = (exc.code or "refund_refused")[:100]
    logger.error("refund %s of order %s refused: %s", part.id, part.order_id, exc)
    async with db.transaction() as conn:
        changed = await conn.fetchval(
            "UPDATE order_refunds SET attempt = attempt + 1, updated_at = now(),"
            " last_error = $3 WHERE id = $1 AND status = 'owed' AND attempt = $2"
            " RETURNING last_error IS DISTINCT FROM $3",
            part.id, part.attempt, error, timeout=db.timeout_s,
        )  # fmt: skip
        if changed is None:
            return  # another asker got there first
        step = refund_retrying(_whole(part), part.currency, gateway_said=error)
        await note(conn, db, part.order_id, step, actor, code=error)


def _whole(part: OwedPart) -> list[tuple[str, Decimal]]:
    """The part as one `(charge, amount)`: its whole amount, whatever it asks."""
    return [(part.charge_id, part.amount)]
