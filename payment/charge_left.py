"""A refund part asking more than its charge has left at the gateway.

Money can go back of a charge without us (a support agent's partial refund at the gateway's
dashboard: payment/audit.py's `refunded_differs`), and our ledger (payment/ledger.py) still counts
it whole, so a cancellation's part on that charge asks more than the gateway holds and is refused
`amount_too_large`, every attempt, for ever. `shrink_to_left` makes the part ask what the charge
has left, as the gateway reports it, under the next attempt's key (the figures differ: a new
request), and writes the rest on the order's history with the refusal (code `refund_retrying`,
`decline_code` `amount_too_large`), so finance and the traveler's history both see where it went.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from booking.pg import Database
from payment import errors
from payment.gateway import PaymentGateway
from payment.ledger import describe
from payment.refund_notices import note

if TYPE_CHECKING:
    from payment.cancellation_refunds import OwedPart

logger = logging.getLogger(__name__)

TOO_LARGE = "amount_too_large"

_SHRINK = """
UPDATE order_refunds SET amount = $3, attempt = attempt + 1, last_error = $4, updated_at = now()
WHERE id = $1 AND status = 'owed' AND attempt = $2
RETURNING true"""


async def shrink_to_left(
    db: Database, gateway: PaymentGateway, part: OwedPart, *, actor: str, timeout_s: float
) -> bool:
    """After `part` was refused `amount_too_large`: whether it now asks what its charge has left
    (False: the gateway has as much as it asks, nothing, or cannot say: a plain refusal)."""
    try:
        intent = await gateway.get_intent(part.intent_id, timeout=timeout_s)
    except errors.GatewayError as exc:
        logger.warning("refund %s: cannot read its intent: %s", part.id, exc)
        return False
    if intent.amount_received is None or intent.amount_refunded is None:
        return False
    left = intent.amount_received - intent.amount_refunded
    if not 0 < left < part.amount:
        return False
    elsewhere = part.amount - left
    async with db.transaction() as conn:
        changed = await conn.fetchval(
            _SHRINK, part.id, part.attempt, left, TOO_LARGE, timeout=db.timeout_s
        )
        if changed is None:
            return True  # another asker got there first
        what = describe([(part.charge_id, part.amount)], part.currency)
        said = (
            f"refund of {what} refused by the payment gateway ({TOO_LARGE}: {elsewhere}"
            f" {part.currency} of it given back at the gateway already, {left}"
            f" {part.currency} left); it is retried"
        )
        await note(conn, db, part.order_id, said, actor, code=TOO_LARGE)
    logger.warning(
        "refund %s of order %s: %s %s of its charge went back at the gateway; asking %s",
        part.id, part.order_id, elsewhere, part.currency, left,
    )  # fmt: skip
    return True
