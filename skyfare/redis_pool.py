"""A blocking Redis connection pool whose acquire costs nothing extra while a connection is free.

Why: the API worker's client (skyfare/redis_client.py, `max_connections`) must wait for a free
connection past its size, where redis-py's plain pool fails at once ("Too many connections").
redis-py's `BlockingConnectionPool` (8.2.0) pays for that on every command, free connection or
not: `get_connection` takes an `asyncio.Condition`, arms an `asyncio.timeout` (a timer) and runs
`wait_for` before it even looks, and `release` takes the Condition again to `notify()`. That is
≈ 53 k instructions per command over the plain pool (bench/results/2026-12-05-redis-pool.md).

`FifoBlockingConnectionPool` keeps what redis-py's does, and waits only when it must:

- at most `max_connections` connections (redis-py's `can_get_connection` and
  `get_available_connection` decide, unchanged);
- a command that finds a connection it may take and nobody waiting takes it at once, without
  the Condition and without a timer; this is the common case;
- otherwise it joins a line and waits, up to `timeout` (None: for ever), for its turn, then
  takes the pool's lock as redis-py does; past `timeout` it fails with redis'
  `ConnectionError("No connection available.")` from the `TimeoutError`, as redis-py's;
- the line is first come, first served: a release wakes the first in line only, and a newcomer
  never takes a connection while someone waits. (redis-py's Condition lets a newcomer take the
  connection just released ahead of the waiter it woke, which then goes back to the end.)
- connecting or checking the connection (`ensure_connection`) is outside the wait's bound, and a
  connection that fails it goes back to the pool, as in redis-py;
- `release` is redis-py's `ConnectionPool.release` (the pool's lock; a connection marked for
  reconnect is disconnected; a release cancelled while it waits for the lock finishes in the
  background; listeners and metrics), then wakes the first in line.

The pool's lock (`_lock`) is held across an await only by redis-py's maintenance and re-auth
handlers (Skyfare turns neither on); while it is held, every command queues and takes it.
Taking a connection at once without it is safe because that takes no await: nothing can run
between the check that the lock is free and the take.

This mirrors `BlockingConnectionPool.get_connection` and replaces its `release`, so it is used only
on the redis-py versions Skyfare's copies of redis-py were read against
(`skyfare.redis_connections.CHECKED_REDIS_VERSIONS`, one list for both modules: a release is taken
only once both are re-read; on others skyfare/redis_client.py builds redis-py's own pool).
pyproject.toml pins that release, and tests/unit/skyfare/test_redis_pool.py fails on any other
version, or if the methods this relies on change, until someone re-reads them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from redis.asyncio.connection import AbstractConnection, BlockingConnectionPool, ConnectionPool
from redis.asyncio.observability.recorder import (
    record_connection_count,
    record_connection_create_time,
    record_connection_timeout,
    record_connection_wait_time,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.observability.attributes import ConnectionState, get_pool_name
from redis.utils import deprecated_args


class FifoBlockingConnectionPool(BlockingConnectionPool):
    """redis-py's `BlockingConnectionPool` without its per-command Condition and timer, its
    waiters served first come, first served (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Commands waiting for a connection, in order of arrival: each waits on its own event,
        # which a release (or the one ahead leaving the line) sets when it is first.
        self._line: deque[asyncio.Event] = deque()

    # redis-py's `BlockingConnectionPool.get_connection`, its Condition and timer replaced by
    # `_take_at_once` / `_take_in_turn`; what follows the take is redis-py's, line for line.
    @deprecated_args(
        args_to_warn=["*"],
        reason="Use get_connection() without args instead",
        version="5.3.0",
    )
    async def get_connection(
        self, command_name: Any = None, *keys: Any, **options: Any
    ) -> AbstractConnection:
        """Gets a connection from the pool, blocking until one is available"""
        start_time_acquired = time.monotonic()
        if not self._line and not self._lock.locked() and self.can_get_connection():
            connection, is_created, start_time_created = self._take()
        else:
            try:
                async with asyncio.timeout(self.timeout):
                    connection, is_created, start_time_created = await self._take_in_turn()
            except TimeoutError as err:
                await record_connection_timeout(pool_name=get_pool_name(self))
                raise RedisConnectionError("No connection available.") from err

        pool_name = get_pool_name(self)
        if is_created:
            await record_connection_count(
                pool_name=pool_name, connection_state=ConnectionState.USED, counter=1
            )
        else:
            await record_connection_count(
                pool_name=pool_name, connection_state=ConnectionState.IDLE, counter=-1
            )
            await record_connection_count(
                pool_name=pool_name, connection_state=ConnectionState.USED, counter=1
            )

        try:
            await self.ensure_connection(connection)
            if is_created:
                await record_connection_create_time(
                    connection_pool=self,
                    duration_seconds=time.monotonic() - start_time_created,
                )
            await record_connection_wait_time(
                pool_name=get_pool_name(self),
                duration_seconds=time.monotonic() - start_time_acquired,
            )
            return connection
        except BaseException:
            await self.release(connection)
            raise

    async def release(self, connection: AbstractConnection) -> None:
        """Releases the connection back to the pool (redis-py's), then wakes the first waiter."""
        try:
            await ConnectionPool.release(self, connection)
        finally:
            self._call_next()

    def _take(self) -> tuple[AbstractConnection, bool, float]:
        """redis-py's take, under the pool's lock there: never awaits, so nothing interleaves."""
        connections_before = len(self._available_connections) + len(self._in_use_connections)
        start_time_created = time.monotonic()
        connection: AbstractConnection = self.get_available_connection()  # type: ignore[no-untyped-call]
        connections_after = len(self._available_connections) + len(self._in_use_connections)
        return connection, connections_after > connections_before, start_time_created

    async def _take_in_turn(self) -> tuple[AbstractConnection, bool, float]:
        """Wait in line until first with a connection to take, then take it under the lock."""
        turn = asyncio.Event()
        self._line.append(turn)
        try:
            while True:
                if self._line[0] is turn and self.can_get_connection():
                    async with self._lock:
                        if self.can_get_connection():
                            return self._take()
                turn.clear()
                await turn.wait()
        finally:
            # Served, timed out or cancelled: the next in line may now be first with a
            # connection free (several released at once, or one woken and then cancelled).
            self._line.remove(turn)
            self._call_next()

    def _call_next(self) -> None:
        if self._line and self.can_get_connection():
            self._line[0].set()
