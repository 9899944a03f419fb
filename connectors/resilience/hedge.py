"""Hedged requests: a backup after a delay; the first answer wins, the loser is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.errors import SupplierRejected

T = TypeVar("T")


async def race(
    primary: Callable[[], Awaitable[T]],
    backup: Callable[[], Awaitable[T]],
    *,
    after: float,
) -> T:
    """Run `primary`; if it has not finished after `after` seconds, run `backup` beside it.

    The first *answer* wins: a result, or a `SupplierRejected` (the airline said no; asking twice
    changes nothing). A transient failure of one request waits for the other; when both fail, the
    primary's error is raised. Whatever is still running at the end (the loser, or both when the
    caller is cancelled) is cancelled and awaited, so no request outlives the call.
    """
    tasks: list[asyncio.Future[T]] = [asyncio.ensure_future(primary())]
    try:
        done, _ = await asyncio.wait(tasks, timeout=after)
        if not done:
            tasks.append(asyncio.ensure_future(backup()))
        return await _first_answer(tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _first_answer(tasks: list[asyncio.Future[T]]) -> T:
    pending = set(tasks)
    while pending:
        _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        # In the order started, so the primary wins a tie.
        for task in tasks:
            if task in pending or task.cancelled():
                continue
            error = task.exception()
            if error is None or isinstance(error, SupplierRejected):
                return task.result()
    error = tasks[0].exception()
    assert error is not None
    raise error
