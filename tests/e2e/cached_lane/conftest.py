"""The server `skyfare serve` runs (`app_runner`) with the sim airlines, raw connections to it, and
a spy on `CachedSearchLane.answer` that tells which path answered: the answers themselves are
meant to be the same bytes (tests/e2e/cached_lane/)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aiohttp import web

from skyfare.app import create_app
from skyfare.cached_lane import CachedSearchLane
from skyfare.protocol import app_runner
from skyfare.settings import Settings
from tests.e2e.cached_lane.wire import Connection
from tests.support.sim import SimHandle

READ_TIMEOUT_S = 1.0


@pytest.fixture
def lane_answered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The request targets the lane answered, in order."""
    answered: list[str] = []
    original = CachedSearchLane.answer

    def spy(self: CachedSearchLane, message: Any, body: bytes | None) -> Any:
        found = original(self, message, body)
        if found is not None:
            answered.append(f"{message.method} {message.path}")
        return found

    monkeypatch.setattr(CachedSearchLane, "answer", spy)
    return answered


async def serve(settings: Settings) -> tuple[web.AppRunner, int]:
    runner = app_runner(create_app(settings), settings)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site.port


@pytest.fixture
async def port(settings: Settings, sim: SimHandle) -> AsyncIterator[int]:
    configured = msgspec.structs.replace(
        settings,
        connectors=sim.connector_settings(),
        header_read_timeout_s=READ_TIMEOUT_S,
        keepalive_timeout_s=READ_TIMEOUT_S,
    )
    runner, port = await serve(configured)
    try:
        yield port
    finally:
        await runner.cleanup()


@pytest.fixture
async def connect(port: int) -> AsyncIterator[Any]:
    opened: list[asyncio.StreamWriter] = []

    async def connection() -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        opened.append(writer)
        return Connection(reader, writer)

    yield connection
    for writer in opened:
        writer.close()
