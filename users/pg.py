"""The user service's PostgreSQL access: bounded waits and one translation of "database down".

As booking's (booking/pg.py, which this package may not import): acquiring a connection and
every query get a timeout; a refused or dropped connection, a timeout or a server shutting down
becomes `ServiceUnavailable` (503 with Retry-After), so the next request after PostgreSQL is
back just works. Other database errors are bugs and propagate.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import cast

import asyncpg

from kernel.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


@contextlib.contextmanager
def unavailable_on_failure() -> Iterator[None]:
    try:
        yield
    except UNAVAILABLE as exc:
        logger.warning("users database unavailable: %r", exc)
        raise ServiceUnavailable(
            "profiles are unavailable right now: the database cannot be reached; retry shortly"
        ) from exc


class Database:
    """A pool plus the timeout every wait on it gets (`timeout_s`: acquire and each query)."""

    def __init__(self, pool: asyncpg.Pool, *, timeout_s: float) -> None:
        self.pool = pool
        self.timeout_s = timeout_s

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        with unavailable_on_failure():
            proxy = await self.pool.acquire(timeout=self.timeout_s)
        try:
            with unavailable_on_failure():
                yield cast(asyncpg.Connection, proxy)
        finally:
            try:
                await self.pool.release(proxy, timeout=self.timeout_s)
            except Exception as exc:  # a reset that failed as the server went down: dropped
                logger.warning("users database: a connection failed its reset: %r", exc)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn
