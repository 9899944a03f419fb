"""redis-py connections whose write timeout costs no Task, and no timer unless a write waits.

Why: every Skyfare client sets `socket_timeout` (and redis-py 8 sets 5 s when one does not), and
redis-py's asyncio connection then bounds each command's write (`AbstractConnection.
send_packed_command`: one per command and one per pipeline, on `Redis` and on `RedisCluster`
alike) with `asyncio.wait_for(self._send_packed_command(...), timeout)`. On Python 3.11
`wait_for` runs that coroutine in a Task of its own (created, scheduled, a waiter future, a
timer, one more turn of the event loop) for every command: redis-py's client CPU per command
is 33.5 µs with the timeout against 23.4 µs without (bench/results/2026-12-05-booking-budget.md
§2; this change: bench/results/2026-12-05-redis-timeout.md).

`send_packed_command` below is redis-py's with the same guarantees: the connect and the health
check stay outside the bound (they have their own); a write that has not finished after
`socket_timeout` raises redis' `TimeoutError("Timeout writing to socket")` and disconnects the
connection (the pool reconnects it on its next use); an OS error is redis' `ConnectionError`;
anything else (a cancellation) disconnects and propagates. What differs is how the bound is
kept: the write is `writelines` (which never waits) then `drain()` (which waits only while the
transport holds more than its high-water mark for a socket that does not read). When the
kernel took every byte at once, as it does for nearly every command, nothing can wait, so no
timer is set; otherwise `drain()` runs under `asyncio.timeout`, a timer on the running task.
redis-py's reads keep their own `asyncio.timeout`.

redis-py's newest release, 8.2.0, still has the `wait_for`, so there is no upgrade to take
instead. This code reads redis-py's private `_writer` and mirrors `send_packed_command` and
`_send_packed_command`, so it is used only on the redis-py versions it was read against
(`CHECKED_REDIS_VERSIONS`; on others `bound_writes_without_task` leaves redis-py's classes).
pyproject.toml pins that release, and tests/unit/skyfare/test_redis_connections.py fails on any
other version, or if those two methods change, until someone re-reads them.

The TLS class is also skyfare/redis_tls_refusal.py's: a connection refused for want of a client
certificate says so. It relies on how redis-py's `connect_check_health` fails (the socket's
error as the cause), so it comes with these classes, on the versions they were checked against.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
    add_debug_log_for_connection_failure,
)
from redis.utils import is_os_level_timeout

from skyfare.redis_tls_refusal import HintingSSLConnection

# The redis-py releases whose `AbstractConnection.send_packed_command` and `_send_packed_command`
# the methods below, and whose pool methods skyfare/redis_pool.py, were read against
# (tests/unit/skyfare/test_redis_connections.py, test_redis_pool.py).
CHECKED_REDIS_VERSIONS = ("8.2.0",)


class _WriteBoundedWithoutTask(AbstractConnection):
    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        timeout = self.socket_timeout
        if not timeout:  # no bound, no Task in redis-py either
            await super().send_packed_command(command, check_health)
            return
        if not self.is_connected:
            await self.connect_check_health(check_health=False)
        if check_health:
            await self.check_health()  # type: ignore[no-untyped-call]  # redis-py's
        if isinstance(command, str):
            command = command.encode()
        if isinstance(command, bytes):
            command = [command]
        try:
            await self._write_within(command, timeout)
        except TimeoutError as e:  # asyncio's, which is the builtin one on 3.11+
            add_debug_log_for_connection_failure(self, e, "writing command")
            await self.disconnect(nowait=True)
            if is_os_level_timeout(e):  # ETIMEDOUT from the OS: dead, not slow
                raise redis.ConnectionError(
                    f"Error {e.errno} while writing to socket. {e.strerror}."
                ) from e
            raise redis.TimeoutError("Timeout writing to socket") from None
        except OSError as e:
            add_debug_log_for_connection_failure(self, e, "writing command")
            await self.disconnect(nowait=True)
            err_no, errmsg = ("UNKNOWN", e.args[0]) if len(e.args) == 1 else e.args[:2]
            raise redis.ConnectionError(f"Error {err_no} while writing to socket. {errmsg}.") from e
        except BaseException as e:
            # A write cut short leaves half a command on the socket: never reuse it.
            add_debug_log_for_connection_failure(self, e, "writing command")
            await self.disconnect(nowait=True)
            raise

    async def _write_within(self, command: Iterable[bytes], timeout: float) -> None:
        """redis-py's `_send_packed_command`, bounded by `timeout` only if it has to wait."""
        writer = self._writer
        if writer is None or writer.transport.is_closing():
            raise redis.ConnectionError("Connection closed by the server before write")
        transport = writer.transport
        try:
            writer.writelines(command)
            if transport.get_write_buffer_size() == 0 and not transport.is_closing():
                # The kernel took every byte (nearly always: a command is small): `drain()`
                # would return at once, so there is nothing to wait for and nothing to bound.
                return
            # Bytes wait in the transport for a socket that does not read: the bound applies.
            async with asyncio.timeout(timeout):
                await writer.drain()
        except (TypeError, AttributeError) as e:
            # As redis-py (its #4287): some Pythons leak these from a transport closing mid-write.
            if transport.is_closing():
                raise redis.ConnectionError("Connection closed by the server while writing") from e
            raise


class NoTaskConnection(_WriteBoundedWithoutTask, Connection):
    pass


class NoTaskSSLConnection(_WriteBoundedWithoutTask, HintingSSLConnection):
    pass


class NoTaskUnixDomainSocketConnection(_WriteBoundedWithoutTask, UnixDomainSocketConnection):
    pass


_REPLACEMENTS: dict[type[Any], type[Any]] = {
    Connection: NoTaskConnection,
    SSLConnection: NoTaskSSLConnection,
    UnixDomainSocketConnection: NoTaskUnixDomainSocketConnection,
}


def checked_redis_version() -> bool:
    return redis.__version__ in CHECKED_REDIS_VERSIONS


def bound_writes_without_task(client: aioredis.Redis) -> aioredis.Redis:
    """`client`, its connections made from this module's classes from now on (call it before
    the first command: connections already open keep their class). A class of a connection this
    module does not know, or a redis-py it was not checked against, is left alone."""
    if not checked_redis_version():
        return client
    if isinstance(client, RedisCluster):
        # Nodes discovered later are made from these kwargs; the startup nodes exist already.
        kwargs = client.nodes_manager.connection_kwargs
        kwargs["connection_class"] = _replacement(kwargs.get("connection_class", Connection))
        nodes = [*client.nodes_manager.startup_nodes.values(), *client.get_nodes()]
        for node in nodes:
            node.connection_class = _replacement(node.connection_class)
        return client
    pool = client.connection_pool
    pool.connection_class = _replacement(pool.connection_class)
    return client


def _replacement(connection_class: type[Any]) -> type[Any]:
    return _REPLACEMENTS.get(connection_class, connection_class)
