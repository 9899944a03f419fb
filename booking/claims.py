"""What the reconciler and the hold sweeper share: claimed batches and rounds on a schedule.

Every API process runs both (booking/recovery.py). They must not trip over each other, nor over
the request path:

- A round claims its batch of orders with `SELECT … FOR UPDATE OF o SKIP LOCKED` in one
  transaction, asks the airline about every claimed order (concurrently, each call bounded), and
  writes the outcomes through booking's repository INSIDE that transaction (`BoundDatabase`: its
  own transactions become savepoints). A second process skips the rows the first holds, so an
  order gets one airline call per round across all processes, not one per process.
- The row lock also closes the races with the request path: a payment starting, a cancel, or a
  traveler's retry that wants to change a claimed order waits for the round to commit (bounded by
  its own database timeout) and then meets the changed status in its guard.
- The lock is held across the airline calls; that is why they are bounded (`airline_timeout_s`)
  and batches are small. A process that dies mid-round holds nothing: its transaction is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence

import asyncpg

from booking.model import Order
from booking.pg import BoundDatabase, Database
from booking.repository import PgOrderRepository
from booking.rows import SELECT_ORDER, order_from_row
from connectors.base import Connector
from kernel.errors import ServiceUnavailable
from kernel.logs import describe

logger = logging.getLogger(__name__)

# An airline call of a recovery round: generous (nobody waits for it), bounded (rows are locked).
AIRLINE_TIMEOUT_S = 10.0
BATCH_SIZE = 20
MAX_BACKOFF_S = 60.0


class Batch:
    """Orders claimed by one round, and booking's repository writing in the claiming transaction."""

    def __init__(self, conn: asyncpg.Connection, db: Database, orders: list[Order]) -> None:
        self.conn = conn
        self.orders = orders
        self.repository = PgOrderRepository(BoundDatabase(conn, db))


@contextlib.asynccontextmanager
async def claimed(
    db: Database, condition: str, args: Sequence[object], *, order_by: str, limit: int
) -> AsyncIterator[Batch]:
    """Lock up to `limit` orders matching `condition` (others' locked rows are skipped) for the
    transaction of the `async with` block; the block's writes commit together at its end."""
    query = (
        f"{SELECT_ORDER} WHERE {condition} ORDER BY {order_by}"
        f" LIMIT ${len(args) + 1} FOR UPDATE OF o SKIP LOCKED"
    )
    async with db.transaction() as conn:
        rows = await conn.fetch(query, *args, limit, timeout=db.timeout_s)
        yield Batch(conn, db, [order_from_row(row) for row in rows])


async def bounded_calls(
    calls: Sequence[Awaitable[object]], *, timeout_s: float
) -> list[object | BaseException]:
    """Run `calls` concurrently, each already bounded by its own timeout; this bound is a net
    for a connector that ignores its own. A call's exception is its result."""
    async with asyncio.timeout(timeout_s + 1.0):
        return await asyncio.gather(*calls, return_exceptions=True)


def configured(connectors: Mapping[str, Connector]) -> list[str]:
    """The connector names a round may ask about: orders of other connectors are left alone
    (another deployment's, or a connector removed from the settings)."""
    return sorted(connectors)


async def run_rounds(
    name: str,
    one_round: Callable[[], Awaitable[int]],
    *,
    interval_s: float,
    batch_size: int,
    max_backoff_s: float = MAX_BACKOFF_S,
) -> None:
    """Call `one_round` every `interval_s` until cancelled. It returns how many orders it
    settled: a full batch settled means more may wait, so it goes again at once. A failure is
    logged (the first of an outage, then every 20th) and retried after a growing pause."""
    failures = 0
    while True:
        try:
            settled = await one_round()
        except Exception as exc:  # a background task must outlive any outage, and any surprise
            failures += 1
            _log_failure(name, exc, failures)
            await asyncio.sleep(min(max_backoff_s, interval_s * 2**failures))
            continue
        if failures:
            logger.warning("%s resumed after %d failed rounds", name, failures)
            failures = 0
        if settled < batch_size:
            await asyncio.sleep(interval_s)


def _log_failure(name: str, exc: Exception, failures: int) -> None:
    if failures != 1 and failures % 20:
        return
    if isinstance(exc, ServiceUnavailable | TimeoutError | OSError | asyncpg.PostgresError):
        logger.warning("%s round failed (%d in a row), retrying: %s", name, failures, describe(exc))
    else:
        logger.exception("%s round failed unexpectedly (%d in a row), retrying", name, failures)
