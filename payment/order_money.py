"""`PgMoneyLedger`: what an order's card charges add up to (booking/money.py), in one query.

The charges are the ledger's (payment/ledger.py): the order's payment, the differences flight
changes charged and the seats bought after booking, here with those whose money went back as
well (a traveler paid them all the same). What went back of a charge is what the audit
(payment/audit.py) records of it: its refund parts (`order_refunds`: a cheaper change's, a
cancellation's, a change that did not stand's), `owed` ones on their way, plus the charge's own
whole refund when no part stands for it (a payment's late capture or failed ticketing, a seat
charge whose seats the airline refused). A cancellation's part moves its payment or seat charge
`refunded` too: counted once, as the part. A cheaper change's part (`change_id`) on the
payment does not stand for the payment's own later refund, which is added.
"""

from __future__ import annotations

import asyncpg
import msgspec

from booking.model import Order
from booking.money import OrderMoney
from kernel.pg import Database

# A change is charged once `confirmed` (the ledger's rule), or was if a part of its own gives
# its money back (it did not stand). `whole`: what a charge's own refund gives back. Sums are
# cast to cents: a bare 0 would read (and be shown) as "0", not "0.00".
_MONEY = """
WITH charges AS (
    SELECT p.id, 'booking' AS type, p.amount, p.created_at, p.status,
           coalesce(p.refunded_amount, p.amount) AS whole, false AS seat
    FROM payments p
    WHERE p.order_id = $1 AND p.gateway_intent_id IS NOT NULL
      AND p.status IN ('succeeded', 'refunding', 'refunded')
    UNION ALL
    SELECT c.id, 'flight_change', c.due_amount, coalesce(c.confirmed_at, c.created_at),
           'succeeded', c.due_amount, false
    FROM order_changes c
    WHERE c.order_id = $1 AND c.due_amount > 0
      AND (c.status = 'confirmed' AND c.payment_intent_id IS NOT NULL
           OR EXISTS (SELECT 1 FROM order_refunds r WHERE r.order_id = $1 AND r.charge_id = c.id))
    UNION ALL
    SELECT s.id, 'seats', s.amount, s.created_at, s.status, s.amount, true
    FROM seat_charges s
    WHERE s.order_id = $1 AND s.gateway_intent_id IS NOT NULL
      AND s.status IN ('succeeded', 'refunding', 'refunded')
), money AS (
    SELECT ch.id, ch.type, ch.amount, ch.created_at,
       (coalesce(parts.refunded, 0)
        + CASE WHEN ch.status = 'refunded' AND NOT coalesce(parts.standing, false)
               THEN ch.whole ELSE 0 END)::numeric(12, 2) AS refunded_amount,
       (coalesce(parts.owed, 0)
        + CASE WHEN ch.status = 'refunding' AND NOT coalesce(parts.standing, false)
               THEN ch.whole ELSE 0 END)::numeric(12, 2) AS refund_pending_amount
FROM charges ch
LEFT JOIN LATERAL (
    SELECT sum(r.amount) FILTER (WHERE r.status = 'refunded') AS refunded,
           sum(r.amount) FILTER (WHERE r.status = 'owed') AS owed,
           bool_or(ch.seat OR r.change_id IS NULL) AS standing
    FROM order_refunds r WHERE r.order_id = $1 AND r.charge_id = ch.id
) parts ON true
)
SELECT json_build_object(
    'currency', $2::text,
    'paid_amount', coalesce(sum(amount), 0)::numeric(12, 2)::text,
    'refunded_amount', coalesce(sum(refunded_amount), 0)::numeric(12, 2)::text,
    'refund_pending_amount', coalesce(sum(refund_pending_amount), 0)::numeric(12, 2)::text,
    'charges', coalesce(json_agg(json_build_object(
        'id', id, 'type', type, 'amount', amount::text,
        'refunded_amount', refunded_amount::text,
        'refund_pending_amount', refund_pending_amount::text, 'created_at', created_at)
        ORDER BY created_at, id), '[]')
)::text
FROM money"""


# Built as JSON by PostgreSQL and decoded straight into the Struct: a Record per charge, each
# numeric made a Decimal on the way, cost the order's GET more than the query.
_decode = msgspec.json.Decoder(OrderMoney).decode


class PgMoneyLedger:
    """The `MoneyLedger` port (booking/ports.py) over PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def money_of(self, order: Order, conn: asyncpg.Connection | None = None) -> OrderMoney:
        if conn is None:
            async with self._db.connection() as own:
                return await self.money_of(order, own)
        text = await conn.fetchval(
            _MONEY, order.id, order.total_currency, timeout=self._db.timeout_s
        )
        return _decode(text)
