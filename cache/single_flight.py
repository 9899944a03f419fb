"""In-process single-flight: concurrent calls with the same key share one run of the work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from kernel.logs import describe

logger = logging.getLogger(__name__)

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Runs `work` once per key at a time; every concurrent caller with that key awaits that run.

    The work runs as its own task and callers await it shielded: a caller that gives up (a client
    that disconnects) neither cancels the others' answer nor the work. `close` cancels what runs.
    """

    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        task = self._flights.get(key)
        if task is None:
            task = asyncio.ensure_future(work())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(task)

    async def close(self) -> None:
        tasks = list(self._flights.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)

    def _landed(self, key: str, task: asyncio.Task[T]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        # Retrieved here so an error whose callers all went away is logged, not lost to the loop.
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.debug("single-flight %s failed: %s", key, describe(exc))
