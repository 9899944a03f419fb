"""/metrics on a port of its own, for the processes that serve no API: the outbox relay and the
notification worker."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from skyfare.metrics import exposition

logger = logging.getLogger(__name__)


async def serve_metrics(
    host: str,
    port: int,
    process: str,
    before_scrape: Callable[[], Awaitable[None]] | None = None,
) -> web.AppRunner | None:
    """The registry on `port` (0: none) until the runner is cleaned up, after `before_scrape`
    (gauges read at scrape time). A port in use is logged, and `process` runs on without."""
    if port == 0:
        return None

    async def metrics(request: web.Request) -> web.Response:
        if before_scrape is not None:
            await before_scrape()
        response = web.Response(body=exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        logger.error("%s: cannot serve /metrics on port %d: %s", process, port, exc)
        await runner.cleanup()
        return None
    return runner
