"""PostgreSQL access: bounded waits and ONE translation of "database down", for every package.

Repositories reach PostgreSQL only through a `Database` (booking/pg.py and users/pg.py name
what they hold, for the error a caller sees). Acquiring a
connection (which, with the app's `min_size=0` pool, may mean connecting) and every query get a
timeout; a refused connection, a timeout, a dropped connection or a server shutting down becomes
`ServiceUnavailable` here, so their endpoints answer 503 quickly while searches go on, and the
next request after PostgreSQL is back just works. Other database errors are bugs and propagate.
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import cast

import asyncpg

from kernel.errors import ServiceUnavailable
from kernel.logs import describe

logger = logging.getLogger(__name__)

# Errors meaning "PostgreSQL cannot serve us now", as opposed to a bug in our SQL.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable
    TimeoutError,  # acquire, connect or query past its timeout
    asyncpg.PostgresConnectionError,  # class 08: the connection failed or went away
    asyncpg.InterfaceError,  # a connection that was closed under us, a closing pool
    # What asyncpg raises when the server ends a session while a query is on the wire (seen
    # during a fast shutdown: "cannot switch to state 12; another operation is in progress").
    asyncpg.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shutdown, cannot connect now
    asyncpg.exceptions.InsufficientResourcesError,  # class 53: too many connections, disk full
)


@contextlib.contextmanager
def unavailable_on_failure(noun: str) -> Iterator[None]:
    """`noun` (what the caller could not reach, plural: "orders") names the 503's detail."""
    try:
        yield
    except UNAVAILABLE as exc:
        raise unavailable(noun, exc) from exc


def unavailable(noun: str, exc: BaseException) -> ServiceUnavailable:
    """The 503 for `exc`, one of `UNAVAILABLE`, logged."""
    logger.warning("%s database unavailable: %s", noun, describe(exc))
    return ServiceUnavailable(
        f"{noun} are unavailable right now: the database cannot be reached; retry shortly"
    )


class Database:
    """A pool plus the timeout every wait on it gets (`timeout_s`: acquire and each query)."""

    NOUN = "records"  # what a 503 says is unavailable; each package's subclass names its own

    def __init__(self, pool: asyncpg.Pool, *, timeout_s: float) -> None:
        self.pool = pool
        self.timeout_s = timeout_s

    def connection(self) -> contextlib.AbstractAsyncContextManager[asyncpg.Connection]:
        """A pool connection for the block, given back at its end; `ServiceUnavailable` when
        PostgreSQL cannot serve (the acquire, or anything in the block)."""
        return _Lease(self)

    async def _release(self, proxy: object) -> None:
        """Give the connection back. Its reset can fail when the server is going down under it
        (asyncpg raises even an InternalClientError then): asyncpg has dropped the connection
        already, the pool opens a new one, and the caller's work — done or failed — stands, so
        the failure is logged, not raised (raised, it was a 500 during a PostgreSQL restart)."""
        try:
            await self.pool.release(proxy, timeout=self.timeout_s)  # type: ignore[arg-type]
        except Exception as exc:
            logger.warning(
                "%s database: a connection failed its reset and was dropped: %s",
                self.NOUN,
                describe(exc),
            )

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn


class _Lease:
    """`Database.connection()`. A class, not `@asynccontextmanager` around two
    `unavailable_on_failure` blocks: every statement of a request takes one, and the generators
    cost a sixth of an acquire and release (issue 18,
    bench/results/2026-12-05-booking-pg-client.md).
    The same contract: the acquire's failure and the block's become `ServiceUnavailable`, the
    connection goes back whatever the block did (`Database._release`)."""

    __slots__ = ("_db", "_proxy")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._proxy: object = None

    async def __aenter__(self) -> asyncpg.Connection:
        db = self._db
        try:
            self._proxy = await db.pool.acquire(timeout=db.timeout_s)
        except UNAVAILABLE as exc:
            raise unavailable(db.NOUN, exc) from exc
        # The pool's proxy forwards every Connection method; the stubs type it apart.
        return cast(asyncpg.Connection, self._proxy)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        await self._db._release(self._proxy)
        if isinstance(exc, UNAVAILABLE):
            raise unavailable(self._db.NOUN, exc) from exc


def advisory_lock_keys(space: int, name: str) -> tuple[int, int]:
    """The two int4 keys of a transaction-scoped advisory lock on `name` in `space` (a constant
    of the caller's): the space, and CRC-32 of `name` as a signed int4. A hash collision only
    makes two names wait for each other."""
    key = zlib.crc32(name.encode())
    return space, key - (1 << 32) if key >= 1 << 31 else key
