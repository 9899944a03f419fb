"""A connection goes back to Skyfare's pool without asyncpg's reset query (skyfare/postgres.py:
no session state to undo, one round trip less per release), and still without a transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from skyfare.postgres import connect_options
from skyfare.settings import load_settings


@pytest.fixture
async def one_connection(database_url: str, schema: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool of Skyfare's options holding one connection: every acquire gets the same one."""
    async with asyncpg.create_pool(
        database_url,
        min_size=1,
        max_size=1,
        server_settings={"search_path": schema},
        **connect_options(load_settings({})),
    ) as pool:
        yield pool


async def test_a_released_connection_is_not_reset(one_connection: asyncpg.Pool) -> None:
    # Session state shows whether the reset query ran: its RESET ALL would undo this SET.
    async with one_connection.acquire() as conn:
        await conn.execute("SET application_name = 'not reset'")
    async with one_connection.acquire() as conn:
        assert await conn.fetchval("SHOW application_name") == "not reset"


async def test_a_transaction_left_open_is_rolled_back_on_release(
    one_connection: asyncpg.Pool,
) -> None:
    await one_connection.execute("CREATE TABLE probe (n int)")
    async with one_connection.acquire() as conn:
        await conn.execute("BEGIN")  # unmanaged, as a request cancelled mid-transaction leaves it
        await conn.execute("INSERT INTO probe VALUES (1)")
    async with one_connection.acquire() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT count(*) FROM probe") == 0
