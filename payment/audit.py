"""The payment reconciler's audit: what the gateway holds of each captured charge, against what
we recorded of it. A charge is any of an order's three (payment/ledger.py): its own payment
(`payments`), a flight change's difference (`order_changes`, its own intent) and seats bought
after booking (`seat_charges`).

Money can move at the gateway without us: a support agent refunds part of a charge from the
gateway's dashboard (its `charge.refunded` webhook says the charge is not refunded in full,
which moves no money here: only a full refund is ours to record; but it has the charge audited
at once, `audit_intent`, by the very pick and comparison a round runs), or the gateway captured
another amount or currency than the charge asked for. Nothing here moves money to even it out:
a refund of a difference could give money back twice (the agent may refund the rest by hand),
and a charge needs the traveler. Each difference is recorded once in `payment_discrepancies`
(payment/sql/0211, 0213: the charge by `charge_kind` and `charge_id`) for finance and support
to settle, logged, and counted in `skyfare_payment_discrepancies_total{kind}` for an alert:

- `captured_differs`: the gateway captured another amount (or currency) than the charge's;
- `refunded_differs`: the gateway has refunded another amount than we recorded as given back
  of it (more: refunded at the dashboard; less: a refund we recorded that the gateway lacks).

A round audits up to `limit` captured charges (a payment or seat charge `succeeded` or
`refunded`, unchanged since `before`; a change confirmed, still `confirming` with its card
charged, or charged and owed back, since `before`), least recently audited first, each stamped
`audited_at`; a charge whose refund is in flight (`refunding`, or a part of it owed) waits: the
gateway may hold money we are recording. What each can have wrong: a charge `succeeded` or
confirmed, either difference; one `refunded`, either too (the gateway lacks a refund we recorded,
or its dashboard gave back some of what a cancellation kept as the penalty, or another amount
was captured); a change left `confirming` by a request that died (the change sweeper settles it
once the airline answers, which may take long), either once its charge settled `succeeded` at
the gateway (still processing, or declined, nothing was captured: compared in a later turn).
A charge is audited at most once every `every_s` (`SKYFARE_PAYMENT_AUDIT_EVERY_S`, 6 hours by
default): once every charge in range was audited, a round reads nothing at the gateway until
the oldest audit is that old, rather than read every recent charge again each round. Only
charges made in the last `max_age_s` (`SKYFARE_PAYMENT_AUDIT_MAX_AGE_S`, 90 days by default:
past a card's refund and dispute windows little moves) are audited: every API process audits a
batch every round, and without a bound it would read every charge ever made at the gateway,
again and again, for ever.
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

MAX_AGE_S = 90 * 86400.0  # charges older than this are no longer audited
EVERY_S = 6 * 3600.0  # a charge is audited at most once in this long

# The captured charges (payment/ledger.py's three kinds) due for an audit, least recently audited
# first, each stamped as it is taken: stamped only if no other round stamped it since it was read
# (its `audited_at` as read), so two rounds at once never audit one charge twice. With each, what
# we recorded given back of it: its refunded parts (a cheaper change's, a cancellation's, a change
# that did not stand's), plus its own whole refund when no part stands for it (a payment's late
# capture or failed ticketing, a seat charge whose seats the airline refused; a cancellation's last
# part moves the payment `refunded` with that part's amount: counted once). A charge with a part
# owed waits: the gateway may hold money we are recording.
# `{only}`: nothing for a round; `AND ch.intent_id = $5` for the charges of one intent, audited
# at once when the gateway's webhook says money went back of it (`audit_intent`).
_PICK_TEMPLATE = """
WITH charges AS (
    SELECT 'payment' AS charge, p.id, p.order_id, p.gateway_intent_id AS intent_id, p.amount,
           p.currency, p.status, coalesce(p.refunded_amount, p.amount) AS whole, p.audited_at
    FROM payments p
    WHERE p.status IN ('succeeded', 'refunded') AND p.gateway_intent_id IS NOT NULL
      AND p.updated_at < $1 AND p.created_at > now() - make_interval(secs => $3)
    UNION ALL
    SELECT 'change', c.id, c.order_id,
           coalesce(c.payment_intent_id,
                    (SELECT min(r.intent_id) FROM order_refunds r WHERE r.charge_id = c.id)),
           c.due_amount, c.currency, c.status, c.due_amount, c.audited_at
    FROM order_changes c
    WHERE c.due_amount > 0
      -- confirmed, or still confirming (its request died: the change sweeper settles it), once
      -- its card was charged
      AND (c.status IN ('confirmed', 'confirming') AND c.payment_intent_id IS NOT NULL
           -- or charged for a change that did not stand, and owed back (its own part)
           OR EXISTS (SELECT 1 FROM order_refunds r WHERE r.charge_id = c.id))
      AND coalesce(c.confirmed_at, c.created_at) < $1
      AND c.created_at > now() - make_interval(secs => $3)
    UNION ALL
    SELECT 'seat', s.id, s.order_id, s.gateway_intent_id, s.amount, s.currency, s.status,
           s.amount, s.audited_at
    FROM seat_charges s
    WHERE s.status IN ('succeeded', 'refunded') AND s.gateway_intent_id IS NOT NULL
      AND s.updated_at < $1 AND s.created_at > now() - make_interval(secs => $3)
), due AS MATERIALIZED (
    SELECT * FROM charges ch
    WHERE (ch.audited_at IS NULL OR ch.audited_at < now() - make_interval(secs => $4))
      AND NOT EXISTS (
          SELECT 1 FROM order_refunds r WHERE r.charge_id = ch.id AND r.status = 'owed')
      {only}
    ORDER BY ch.audited_at NULLS FIRST, ch.id LIMIT $2
), payments_taken AS (
    UPDATE payments t SET audited_at = now() FROM due
    WHERE due.charge = 'payment' AND t.id = due.id
      AND t.audited_at IS NOT DISTINCT FROM due.audited_at
    RETURNING t.id
), changes_taken AS (
    UPDATE order_changes t SET audited_at = now() FROM due
    WHERE due.charge = 'change' AND t.id = due.id
      AND t.audited_at IS NOT DISTINCT FROM due.audited_at
    RETURNING t.id
), seats_taken AS (
    UPDATE seat_charges t SET audited_at = now() FROM due
    WHERE due.charge = 'seat' AND t.id = due.id
      AND t.audited_at IS NOT DISTINCT FROM due.audited_at
    RETURNING t.id
)
SELECT due.charge, due.id, due.order_id, due.intent_id, due.amount, due.currency, due.status,
       coalesce((SELECT sum(r.amount) FROM order_refunds r
                 WHERE r.charge_id = due.id AND r.status = 'refunded'), 0)
       + CASE WHEN due.status = 'refunded' AND NOT EXISTS (
                  SELECT 1 FROM order_refunds r
                  WHERE r.charge_id = due.id AND (due.charge = 'seat' OR r.change_id IS NULL))
              THEN due.whole ELSE 0 END AS refunded
FROM due
WHERE due.id IN (SELECT id FROM payments_taken UNION ALL SELECT id FROM changes_taken
                 UNION ALL SELECT id FROM seats_taken)
ORDER BY due.audited_at NULLS FIRST, due.id"""
_PICK = _PICK_TEMPLATE.format(only="")
_PICK_INTENT = _PICK_TEMPLATE.format(only="AND ch.intent_id = $5")
# `audit_intent` takes a charge however recently it changed or was audited (the webhook is the
# news), in the rounds' age range: a bound past any charge's last change, no wait between audits.
_ANY_TIME = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
_AT_ONCE_S = 0.0
_ONE_INTENT = 10  # the charges one intent can be (a payment, or a change's own)

_RECORD = """
INSERT INTO payment_discrepancies
    (charge_kind, charge_id, payment_id, order_id, intent_id, kind, ours, gateways, currency)
VALUES ($1, $2, CASE WHEN $1 = 'payment' THEN $2 END, $3, $4, $5, $6, $7, $8)
ON CONFLICT (charge_id, kind, ours, gateways, currency) DO NOTHING
RETURNING true"""


class PaymentAudit:
    def __init__(
        self,
        db: Database,
        gateway: PaymentGateway,
        *,
        timeout_s: float,
        max_age_s: float = MAX_AGE_S,
        every_s: float = EVERY_S,
    ) -> None:
        self._db = db
        self._gateway = gateway
        self._timeout_s = timeout_s
        self._max_age_s = max_age_s
        self._every_s = every_s
        metrics.start_discrepancies()  # this process audits: its series from now on

    async def audit_once(self, before: dt.datetime, *, limit: int = 50) -> int:
        """Audit up to `limit` charges; how many were audited."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                _PICK, before, limit, self._max_age_s, self._every_s, timeout=self._db.timeout_s
            )
        await self._audit(rows)
        return len(rows)

    async def audit_intent(self, intent_id: str) -> int:
        """Audit at once the captured charges of `intent_id` (its `charge.refunded` webhook: money
        went back of it, maybe at the dashboard), as a round would in their turn, rather than
        wait up to `every_s` for it; how many were audited. A charge with a refund of ours in
        flight waits, as in a round (our refund's own webhook may come before we record it), and
        so does one outside the rounds' age range. A redelivered event audits again and finds
        the difference recorded already: nothing is recorded or counted twice."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                _PICK_INTENT, _ANY_TIME, _ONE_INTENT, self._max_age_s, _AT_ONCE_S, intent_id,
                timeout=self._db.timeout_s,
            )  # fmt: skip
        await self._audit(rows)
        return len(rows)

    async def _audit(self, rows: list[asyncpg.Record]) -> None:
        for row in rows:
            try:
                intent = await self._gateway.get_intent(row["intent_id"], timeout=self._timeout_s)
            except errors.GatewayError as exc:  # asked again in its next turn
                logger.warning("charge %s: cannot audit its intent: %s", row["id"], exc)
                continue
            await self._compare(row, intent)

    async def _compare(self, row: asyncpg.Record, intent: GatewayIntent) -> None:
        if row["status"] == "confirming" and intent.status != "succeeded":
            return  # its charge not settled yet (or declined): nothing captured to compare
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
                _RECORD, row["charge"], row["id"], row["order_id"], row["intent_id"], kind, ours,
                gateways, currency, timeout=self._db.timeout_s,
            )  # fmt: skip
        if new:
            metrics.discrepancy(kind)
            logger.error(
                "%s charge %s of order %s: %s: we recorded %s %s, the gateway %s %s",
                row["charge"], row["id"], row["order_id"], kind, ours, row["currency"], gateways,
                currency,
            )  # fmt: skip
