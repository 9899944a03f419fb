"""Redis commands asked for in the same event-loop turn go out together, as one pipeline.

The worker handles a batch's events concurrently: every event's claims are asked for in the
same turn, and the "sent" marks and acks of sends that finished together land in one turn too.
One round trip on one pooled connection then carries them all, where each used to take a round
trip (and a connection, and a timeout) of its own: that was a third of the worker's CPU per
event. Nothing waits to fill a pipeline: a command goes out on the very next turn, so a "sent"
mark is written as soon after the provider's answer as before (see notify/__init__.py).

Each caller awaits its own command's answer or error: a refused command fails its caller only;
a pipeline that fails as a whole (a timeout, the connection lost) fails each of its callers, as
their own commands would have. Non-transactional, so on a Redis Cluster the commands may touch
keys in any slot (redis-py splits the pipeline by node).
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as redis

Command = tuple[Any, ...]


class AutoPipeline:
    """`await pipeline.execute("SET", key, value)`: sent with every command asked for in the
    same turn; the whole pipeline is bounded by `timeout_s`."""

    def __init__(self, client: redis.Redis, *, timeout_s: float) -> None:
        self._redis = client
        self._timeout_s = timeout_s
        self._queue: list[tuple[Command, asyncio.Future[Any]]] = []
        self._running: set[asyncio.Task[None]] = set()

    def execute(self, *command: Any) -> asyncio.Future[Any]:
        """The future of `command`'s answer (its error if Redis refused it)."""
        future = asyncio.get_running_loop().create_future()
        if not self._queue:
            # A task's first step runs on the loop's next turn, after every callback that is
            # ready now: the other events' coroutines add their commands meanwhile.
            task = asyncio.ensure_future(self._flush())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        self._queue.append((command, future))
        return future

    async def _flush(self) -> None:
        queue, self._queue = self._queue, []
        pipe = self._redis.pipeline(transaction=False)
        for command, _ in queue:
            pipe.execute_command(*command)
        try:
            async with asyncio.timeout(self._timeout_s):
                answers = await pipe.execute(raise_on_error=False)
        except Exception as exc:
            for _, future in queue:
                if not future.done():
                    future.set_exception(exc)
            return
        except asyncio.CancelledError:  # the loop is going away: so are the callers
            for _, future in queue:
                future.cancel()
            raise
        for (_, future), answer in zip(queue, answers, strict=True):
            if future.done():  # its caller gave up (cancelled)
                continue
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)
