"""PostgreSQL's readiness check on a connection of its own, outside the request pool.

Why: `/readyz` asked `SELECT 1` on a connection from the pool, so while traffic held every
connection of the pool (`SKYFARE_DB_POOL_MAX`) the probe waited in line behind it, timed out
(`SKYFARE_READY_TIMEOUT_MS`) and reported the database down: a loaded but healthy process
looked unready, and a monitor or a readiness probe took it out exactly when it was busiest. What
the check wants to know is whether PostgreSQL answers, not whether this process has a free slot.

Behind PgBouncer in transaction pooling mode a connection of its own is not enough: each query
waits for one of PgBouncer's server connections of the (database, user) pool, which every
process's traffic shares, so while they were all busy the check queued there and read "down" the
same way. Whether PostgreSQL is down or only busy cannot be told from there (PgBouncer queues the
query either way), so the check asks in a database of its own, `database` (an alias with a pool of
its own in pgbouncer.ini: SKYFARE_DB_CHECK_DATABASE, deploy/README.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg


class DatabaseCheck:
    """One connection, opened at the first check (a database down at start-up keeps nothing
    from starting) and again after any failure; concurrent checks take turns on it."""

    def __init__(
        self,
        url: str,
        timeout_s: float,
        connect_options: dict[str, Any],
        database: str | None = None,
    ) -> None:
        self._url = url
        self._timeout_s = timeout_s
        # None: the URL's own database.
        self._options = (
            connect_options if database is None else {**connect_options, "database": database}
        )
        self._connection: asyncpg.Connection | None = None
        self._turn = asyncio.Lock()

    async def check(self) -> None:
        """Returns once PostgreSQL answered `SELECT 1`; raises why it did not."""
        async with self._turn:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(
                        self._url, timeout=self._timeout_s, **self._options
                    )
                await self._connection.fetchval("SELECT 1", timeout=self._timeout_s)
            except BaseException:
                # Timed out, cancelled or refused: the connection may be mid-query, so it is
                # dropped, not reused (terminate: no await, safe while being cancelled).
                self._drop()
                raise

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.terminate()
            self._connection = None

    async def close(self) -> None:
        async with self._turn:
            if self._connection is not None:
                connection, self._connection = self._connection, None
                await connection.close(timeout=self._timeout_s)
