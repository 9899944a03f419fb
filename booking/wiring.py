"""Builds the booking core from what the composition root owns (a pool, connectors, timeouts)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

import asyncpg

from booking.idempotency import PgIdempotencyStore
from booking.limits import OrderLimits, airport_zones
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.service import OrderService
from connectors.base import Connector
from kernel.errors import ServiceUnavailable
from kernel.tasks import stop_task

logger = logging.getLogger(__name__)

# A hold is one airline call, capped lower by each connector's own per-call ceiling (timeout_s).
HOLD_TIMEOUT_S = 10.0
# Expired idempotency keys are also deleted whenever they are met again; this sweep keeps the
# table from growing with keys never reused. Every API process runs it; the DELETE is bounded.
PURGE_INTERVAL_S = 600.0


@contextlib.asynccontextmanager
async def running_order_service(
    pool: asyncpg.Pool,
    connectors: Sequence[Connector],
    *,
    db_timeout_s: float,
    lease_s: float,
    price_timeout_s: float,
    hold_timeout_s: float = HOLD_TIMEOUT_S,
    purge_interval_s: float = PURGE_INTERVAL_S,
    limits: OrderLimits | None = None,
    hold_window_s: float | None = None,
) -> AsyncIterator[OrderService]:
    """The order service over `pool`, with its expired-key purge running until exit; `limits`
    and `hold_window_s` as `OrderService` takes them."""
    if hold_window_s is not None:
        airport_zones()  # while the app starts, not in the first traveler's order
    db = Database(pool, timeout_s=db_timeout_s)
    keys = PgIdempotencyStore(db, lease_s=lease_s)
    service = OrderService(
        PgOrderRepository(db),
        keys,
        {c.name: c for c in connectors},
        price_timeout_s=price_timeout_s,
        hold_timeout_s=hold_timeout_s,
        limits=limits,
        hold_window_s=hold_window_s,
    )
    task = asyncio.create_task(_purge(keys, purge_interval_s), name="idempotency-purge")
    try:
        yield service
    finally:
        await stop_task(task)


async def _purge(keys: PgIdempotencyStore, interval_s: float) -> None:
    this = asyncio.current_task()
    while True:
        await asyncio.sleep(interval_s)
        try:
            deleted = await keys.purge_expired()
        except ServiceUnavailable:
            continue  # logged by booking.pg; the next round tries again
        if this is not None and this.cancelling():  # a cancel the query swallowed
            raise asyncio.CancelledError
        if deleted:
            logger.info("deleted %d expired idempotency keys", deleted)
