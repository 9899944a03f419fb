"""A pytest-xdist worker's own database is made on first use, also from a thread whose event
loop is already running: a worker whose first test is a browser test asks for it under
Playwright's loop (`asyncio.run` there failed every browser test of a run of them alone)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.support import workers


async def test_a_workers_database_is_made_while_a_loop_runs(database_url: str) -> None:
    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/')}_made_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        workers.ensure_database(url)  # synchronously, on this test's running loop
        workers.ensure_database(url)  # and once it is there
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT current_database()") == name
        await conn.close()
    finally:
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
