"""The booking core's PostgreSQL access: kernel/pg.py's `Database`, naming orders in its 503s,
`transaction_from` (a transaction and its first statement in one round trip), and
`BoundDatabase` for work inside a caller's transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from kernel import pg
from kernel.pg import UNAVAILABLE, unavailable_on_failure

__all__ = ["UNAVAILABLE", "BoundDatabase", "Database"]


class Database(pg.Database):
    NOUN = "orders"

    @contextlib.asynccontextmanager
    async def transaction_from(self, statement: str) -> AsyncIterator[asyncpg.Connection]:
        """A transaction whose first statement is `statement`, sent with its BEGIN in one round
        trip (PostgreSQL's simple query protocol: `statement` takes no parameters, so it must
        hold literals only — numbers, never text from a request). Committed at the end of the
        block, rolled back if the block raises."""
        async with self.connection() as conn:
            await conn.execute(f"BEGIN; {statement}", timeout=self.timeout_s)
            try:
                yield conn
            except BaseException:
                # Failing that, the pool's release rolls back a transaction left open.
                with contextlib.suppress(*UNAVAILABLE):
                    await conn.execute("ROLLBACK", timeout=self.timeout_s)
                raise
            await conn.execute("COMMIT", timeout=self.timeout_s)


class BoundDatabase(Database):
    """A `Database` whose only connection is `conn`, already inside its caller's transaction.

    A repository on it writes into that transaction (a payment and the order change it causes,
    a recovery round and the orders it locked); its own `transaction()` becomes a SAVEPOINT, so
    a change that fails is undone without aborting the caller's transaction.
    """

    def __init__(self, conn: asyncpg.Connection, db: Database) -> None:
        super().__init__(db.pool, timeout_s=db.timeout_s)
        self._conn = conn

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        with unavailable_on_failure(self.NOUN):
            yield self._conn

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        with unavailable_on_failure(self.NOUN):
            async with self._conn.transaction():  # nested: a SAVEPOINT
                yield self._conn

    @contextlib.asynccontextmanager
    async def transaction_from(self, statement: str) -> AsyncIterator[asyncpg.Connection]:
        async with self.transaction() as conn:
            await conn.execute(statement, timeout=self.timeout_s)
            yield conn
