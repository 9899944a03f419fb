"""Cancellation quotes in PostgreSQL (booking/sql/0120_order_cancellations.sql)."""

from __future__ import annotations

import asyncpg

from booking.cancellation_terms import Quote
from booking.pg import Database

_COLUMNS = (
    "id, order_id, status, refund_amount, penalty_amount, currency, refund_to, order_status,"
    " order_payment_status, order_updated_at, expires_at, created_at, confirmed_at"
)


def _quote(row: asyncpg.Record) -> Quote:
    return Quote(**{name: row[name] for name in row.keys()})  # noqa: SIM118


class PgCancellations:
    """Quotes are written once and change once (`quoted → confirmed`), inside the transaction
    that cancels their order."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def insert(self, quote: Quote, *, actor: str) -> None:
        async with self._db.connection() as conn:
            await conn.execute(
                f"INSERT INTO order_cancellations ({_COLUMNS}, actor)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                quote.id, quote.order_id, quote.status, quote.refund_amount,
                quote.penalty_amount, quote.currency, quote.refund_to, quote.order_status,
                quote.order_payment_status, quote.order_updated_at, quote.expires_at,
                quote.created_at, quote.confirmed_at, actor,
                timeout=self._db.timeout_s,
            )  # fmt: skip

    async def get(self, order_id: str, quote_id: str) -> Quote | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM order_cancellations WHERE id = $1 AND order_id = $2",
                quote_id,
                order_id,
                timeout=self._db.timeout_s,
            )
        return None if row is None else _quote(row)

    async def confirm(self, conn: asyncpg.Connection, quote_id: str, *, actor: str) -> bool:
        """In the cancel's transaction: `quoted → confirmed`; False if it was not `quoted`."""
        done = await conn.fetchval(
            "UPDATE order_cancellations SET status = 'confirmed', confirmed_at = now(),"
            " confirmed_by = $2 WHERE id = $1 AND status = 'quoted' RETURNING true",
            quote_id,
            actor,
            timeout=self._db.timeout_s,
        )
        return bool(done)
