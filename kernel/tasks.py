"""Stopping the background loops every process runs (relay, reconcilers, sweeper, purges)."""

from __future__ import annotations

import asyncio
import contextlib


async def stop_task(task: asyncio.Task[None]) -> None:
    """Cancel `task` until it has ended.

    One `cancel()` is not enough on Python 3.11: asyncpg's timeouts (built on `wait_for`) can
    swallow a cancellation that arrives as the awaited call completes, and a loop that then
    sleeps until its next round would keep a shutdown waiting forever.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
    with contextlib.suppress(asyncio.CancelledError):
        task.result()
