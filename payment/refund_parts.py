"""One refund part as stored (`order_refunds`, payment/sql/0203): what asking the gateway for it
needs (payment/charge_left.py) and what settling an order's parts reads
(payment/cancellation_refunds.py)."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import msgspec

from payment.ledger import NOTHING

COLUMNS = (
    "id, order_id, charge_id, intent_id, amount, currency, reason, status, attempt, change_id,"
    " first_key, asking, by_gateway"
)


class OwedPart(msgspec.Struct, frozen=True):
    """One part of a cancellation's refund, as stored."""

    id: str
    order_id: str
    charge_id: str
    intent_id: str
    amount: Decimal
    currency: str
    reason: str
    status: str
    attempt: int
    change_id: str | None  # och_…: a change's difference given back; None: the cancellation's
    first_key: str | None  # attempt 0's key when it is not the usual one (0205)
    asking: Decimal | None = None  # less than `amount` to ask of the gateway (0212)
    by_gateway: Decimal = NOTHING  # of `amount`, given back at the gateway's dashboard (0214)

    def asks(self) -> Decimal:
        """What the next attempt asks of the gateway."""
        return self.amount if self.asking is None else self.asking

    def ours(self) -> Decimal:
        """What of it goes back by our refunds (asked now, or under an older key of ours)."""
        return self.amount - self.by_gateway

    def key(self) -> str:
        if self.attempt == 0 and self.first_key is not None:
            return self.first_key
        return f"{self.id}:refund:{self.attempt}"


def read_part(row: asyncpg.Record) -> OwedPart:
    """The part a row of `COLUMNS` holds."""
    return OwedPart(**{name: row[name] for name in row.keys()})  # noqa: SIM118
