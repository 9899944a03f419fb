"""Events and notifications against real PostgreSQL, Redis and the sim servers over sockets.

Each test gets its own schema (with every migration applied), its own stream name and its own
dedup key prefix, so tests share the servers and nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.database import migrated_pool
from tests.support.notify import NotifySim, running_notify_sim


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool whose tables (all migrations applied) live in the test's own schema."""
    async with migrated_pool(database_url, prefix="test", max_size=10) as pool:
        yield pool


@pytest.fixture
async def sim() -> AsyncIterator[NotifySim]:
    async with running_notify_sim() as handle:
        yield handle
