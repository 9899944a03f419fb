"""Nothing lost: the reconciler and the hold sweeper, running in the background of an API process.

Every API process runs both; their rounds claim orders with `FOR UPDATE SKIP LOCKED`
(booking/claims.py), so any number of processes share the work without asking an airline twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import asyncpg

from booking.claims import run_rounds
from booking.pg import Database
from booking.reconciler import Reconciler
from booking.sweeper import HoldSweeper
from connectors.base import Connector
from kernel.tasks import stop_task


@contextlib.asynccontextmanager
async def running_recovery(
    pool: asyncpg.Pool,
    connectors: Sequence[Connector],
    *,
    db_timeout_s: float,
    reconcile_after_s: float,
    reconcile_interval_s: float,
    hold_sweep_interval_s: float,
    hold_window_s: float | None = None,
) -> AsyncIterator[tuple[Reconciler, HoldSweeper]]:
    """Reconcile pending orders every `reconcile_interval_s` (those pending over
    `reconcile_after_s`; a hold found gets `hold_window_s` at most) and sweep expired holds every
    `hold_sweep_interval_s`, until exit."""
    db = Database(pool, timeout_s=db_timeout_s)
    by_name = {c.name: c for c in connectors}
    reconciler = Reconciler(db, by_name, after_s=reconcile_after_s, hold_window_s=hold_window_s)
    sweeper = HoldSweeper(db, by_name)
    tasks = (
        asyncio.create_task(
            run_rounds(
                "reconciler",
                reconciler.reconcile_once,
                interval_s=reconcile_interval_s,
                batch_size=reconciler.batch_size,
            ),
            name="order-reconciler",
        ),
        asyncio.create_task(
            run_rounds(
                "hold sweeper",
                sweeper.sweep_once,
                interval_s=hold_sweep_interval_s,
                batch_size=sweeper.batch_size,
            ),
            name="hold-sweeper",
        ),
    )
    try:
        yield reconciler, sweeper
    finally:
        for task in tasks:
            await stop_task(task)
