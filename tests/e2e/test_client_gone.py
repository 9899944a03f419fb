"""A client that hangs up in the middle of a streamed answer (a partner's bulk batch it gave up
on, a traveler's streamed search in a closed tab) is no server error.

The server is `skyfare.protocol.app_runner`, what `skyfare serve` runs: unlike aiohttp's
TestServer it does not cancel a handler whose client left, so the handler's next write fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from kernel.http import prepare_stream
from skyfare.app import create_app
from skyfare.protocol import app_runner
from skyfare.settings import Settings
from tests.support.metrics_text import sample_value

LINE = b'{"index":0,"status":"not_cached"}\n'
_ENDLESS = 'skyfare_http_requests_total{{method="GET",route="endless",status="{}"}}'


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[int, asyncio.Future[None]]]:
    """The port of an app with an endless NDJSON route, and a future done when its view ends."""
    ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await prepare_stream(request, response)
        try:
            while True:  # each write waits for the client to read: until it is gone
                await response.write(LINE * 2048)
        finally:
            ended.set_result(None)

    app = create_app(settings)
    app.router.add_get("/endless", endless, name="endless")
    runner = app_runner(app, settings)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield site.port, ended
    finally:
        await runner.cleanup()


async def test_a_client_that_hangs_up_mid_stream_is_counted_499_and_logs_no_error(
    served: tuple[int, asyncio.Future[None]], caplog: pytest.LogCaptureFixture
) -> None:
    port, ended = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /endless HTTP/1.1\r\nHost: test\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.readuntil(LINE)
    writer.close()  # the rest unread: the server's next writes find the connection gone
    await writer.wait_closed()
    await ended  # the plumbing counts and logs right after the view, before the next await
    async with aiohttp.ClientSession() as session:
        metrics = await (await session.get(f"http://127.0.0.1:{port}/metrics")).text()

    assert head.startswith(b"HTTP/1.1 200 ")
    assert sample_value(metrics, _ENDLESS.format(499)) > 0
    # At 0 from the start, as each route's 5xx statuses (skyfare/metrics.py): never counted.
    assert sample_value(metrics, _ENDLESS.format(500)) == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
