"""A PostgreSQL going down under a pooled connection is "unavailable" (503), never a bug (500)."""

from __future__ import annotations

import asyncio
import struct

import asyncpg
import pytest

from booking.pg import Database
from kernel.errors import ServiceUnavailable
from tests.support.tcp_proxy import PostgresProxy


def _admin_shutdown() -> bytes:
    """The ErrorResponse a server sends each session on a fast shutdown, before it closes it."""
    fields = b"SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0"
    return b"E" + struct.pack("!i", len(fields) + 4) + fields


async def test_a_query_on_a_session_the_server_is_ending_is_unavailable_not_a_bug(
    database_url: str,
) -> None:
    # asyncpg, handed the FATAL while idle, refuses the next query with InternalClientError
    # ("cannot switch to state 11; another operation is in progress"): a 500 during restarts.
    async with (
        PostgresProxy(database_url) as proxy,
        asyncpg.create_pool(proxy.url, min_size=1, max_size=1) as pool,
    ):
        db = Database(pool, timeout_s=5.0)
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT 1") == 1
        await proxy.send_to_clients(_admin_shutdown())
        await asyncio.sleep(0.1)  # lets the client read it; no timing is asserted

        with pytest.raises(ServiceUnavailable):
            async with db.connection() as conn:
                await conn.fetchval("SELECT 2")
        async with db.connection() as conn:  # the pool opens a new session by itself
            assert await conn.fetchval("SELECT 3") == 3
