"""The payment reconciler's audit: what the gateway holds of each captured payment, against what
we recorded of it.

Money can move at the gateway without us: a support agent refunds part of a charge from the
gateway's dashboard (its `charge.refunded` webhook says the charge is not refunded in full,
which moves nothing here: only a full refund is ours to record), or the gateway captured
another amount or currency than the payment asked for. Nothing here moves money to even it out:
a refund of a difference could give money back twice (the agent may refund the rest by hand),
and a charge needs the traveler. Each difference is recorded once in `payment_discrepancies`
(payment/sql/0211) for finance and support to settle, logged, and counted in
`skyfare_payment_discrepancies_total{kind}` for an alert:

- `captured_differs`: the gateway captured another amount (or currency) than the payment's;
- `refunded_differs`: the gateway has refunded another amount than we recorded as given back
  of it (more: refunded at the dashboard; less: a refund we recorded that the gateway lacks).

A round audits up to `limit` captured payments (`succeeded`, `refunded`) unchanged since
`before`, least recently audited first, each stamped `audited_at`; a payment whose refund is in
flight (`refunding`, or a part of it owed) waits: the gateway may hold money we are recording.
Only payments made in the last `max_age_s` (`SKYFARE_PAYMENT_AUDIT_MAX_AGE_S`, 90 days by
default: past a card's refund and dispute windows little moves) are audited: every API process
audits a batch every round, and without a bound it would read every payment ever made at the
gateway, again and again, for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import asyncpg

from booking.pg import Database
from payment import errors, metrics
from payment.gateway import PaymentGateway
from payment.model import GatewayIntent

logger = logging.getLogger(__name__)

MAX_AGE_S = 90 * 86400.0  # payments older than this are no longer audited

# What we recorded given back of a payment: its refunded parts (a cheaper change's, a
# cancellation's), plus the payment's own whole refund when no cancellation part stands for it
# (a cancellation's last part moves the payment `refunded` with that part's amount: counted once).
_PICK = """
WITH picked AS (
    SELECT p.id FROM payments p
    WHERE p.status IN ('succeeded', 'refunded') AND p.gateway_intent_id IS NOT NULL
      AND p.updated_at < $1 AND p.created_at > now() - make_interval(secs => $3)
      AND NOT EXISTS (
          SELECT 1 FROM order_refunds r WHERE r.charge_id = p.id AND r.status = 'owed')
    ORDER BY p.audited_at NULLS FIRST, p.id LIMIT $2
    FOR UPDATE OF p SKIP LOCKED
)
UPDATE payments p SET audited_at = now() FROM picked WHERE p.id = picked.id
RETURNING p.id, p.order_id, p.gateway_intent_id AS intent_id, p.amount, p.currency,
    coalesce((SELECT sum(r.amount) FROM order_refunds r
              WHERE r.charge_id = p.id AND r.status = 'refunded'), 0)
    + CASE WHEN p.status = 'refunded' AND NOT EXISTS (
               SELECT 1 FROM order_refunds r WHERE r.charge_id = p.id AND r.change_id IS NULL)
           THEN coalesce(p.refunded_amount, p.amount) ELSE 0 END AS refunded"""

_RECORD = """
INSERT INTO payment_discrepancies (payment_id, order_id, intent_id, kind, ours, gateways, currency)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (payment_id, kind, ours, gateways, currency) DO NOTHING
RETURNING true"""


class PaymentAudit:
    def __init__(
        self,
        db: Database,
        gateway: PaymentGateway,
        *,
        timeout_s: float,
        max_age_s: float = MAX_AGE_S,
    ) -> None:
        self._db = db
        self._gateway = gateway
        self._timeout_s = timeout_s
        self._max_age_s = max_age_s
        metrics.start_discrepancies()  # this process audits: its series from now on

    async def audit_once(self, before: dt.datetime, *, limit: int = 50) -> int:
        """Audit up to `limit` payments; how many were audited."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                _PICK, before, limit, self._max_age_s, timeout=self._db.timeout_s
            )
        for row in rows:
            try:
                intent = await self._gateway.get_intent(row["intent_id"], timeout=self._timeout_s)
            except errors.GatewayError as exc:  # asked again in its next turn
                logger.warning("payment %s: cannot audit its intent: %s", row["id"], exc)
                continue
            await self._compare(row, intent)
        return len(rows)

    async def _compare(self, row: asyncpg.Record, intent: GatewayIntent) -> None:
        currency = intent.currency.upper()
        if intent.amount_received is not None and (
            intent.amount_received != row["amount"] or currency != row["currency"]
        ):
            await self._record(
                row, "captured_differs", row["amount"], intent.amount_received, currency
            )
        if intent.amount_refunded is not None and intent.amount_refunded != row["refunded"]:
            await self._record(
                row, "refunded_differs", row["refunded"], intent.amount_refunded, currency
            )

    async def _record(
        self,
        row: asyncpg.Record,
        kind: metrics.Discrepancy,
        ours: Decimal,
        gateways: Decimal,
        currency: str,
    ) -> None:
        """Once per difference as found (`currency`: the gateway's)."""
        async with self._db.connection() as conn:
            new = await conn.fetchval(
                _RECORD, row["id"], row["order_id"], row["intent_id"], kind, ours, gateways,
                currency, timeout=self._db.timeout_s,
            )  # fmt: skip
        if new:
            metrics.discrepancy(kind)
            logger.error(
                "payment %s of order %s: %s: we recorded %s %s, the gateway %s %s",
                row["id"], row["order_id"], kind, ours, row["currency"], gateways, currency,
            )  # fmt: skip
