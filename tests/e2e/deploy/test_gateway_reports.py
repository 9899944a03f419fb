"""The reports through the nginx gateway (deploy/nginx): `/v1/reports/` goes to the analytics
consumer's process, which owns their store, not to booking, which has none in a deployment
(deploy/README.md, "Services")."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from skyfare.gateway import write_config
from tests.e2e.conftest import closed_port
from tests.support.analytics import published_day
from tests.support.gateway import (
    GatewayStack,
    gateway_layout,
    gateway_prerequisites,
    gateway_world,
    running_nginx,
)
from tests.support.services import service_environment
from tests.support.tokens import bearer, mint_token

pytestmark = pytest.mark.slow

BOUND_S = 30.0


@pytest.fixture
async def streams(redis_url: str) -> AsyncIterator[tuple[str, str]]:
    async with published_day(redis_url) as names:  # 30 searches, 3 holds, a breaker opening
        yield names


async def _funnel(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> Any:
    """The funnel once the analytics process has loaded the day (nginx answers 503 before it
    listens: it restarts, or starts, as here)."""
    async with asyncio.timeout(BOUND_S):
        while True:
            async with session.get(url, headers=headers) as r:
                body = await r.json(content_type=None)
                if r.status == 200 and dict(body["rows"])["search"] == 30:
                    return body
            await asyncio.sleep(0.05)


async def test_the_gateway_sends_the_reports_to_the_analytics_process(
    database_url: str, redis_url: str, streams: tuple[str, str], tmp_path: Path
) -> None:
    await gateway_prerequisites(database_url)
    layout = gateway_layout(
        search_ports=(closed_port(),), booking_port=closed_port(), analytics_port=closed_port()
    )
    config = write_config(layout, tmp_path / "gateway")
    async with gateway_world(layout) as (sim, payments):
        env = service_environment(
            database_url,
            redis_url,
            sim,
            SKYFARE_USAGE_STREAM=streams[0],
            SKYFARE_EVENT_STREAM=streams[1],
            SKYFARE_ANALYTICS_DIR=str(tmp_path / "analytics"),
            SKYFARE_ANALYTICS_PORT=str(layout.analytics_port),
        )
        stack = GatewayStack(sim, payments, env, layout, tmp_path / "gateway")
        booking = await stack.start("booking", layout.booking_port)
        analytics = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "skyfare.cli", "analytics", env=env, start_new_session=True
        )
        try:
            analyst = bearer(await mint_token(sim.url, "ana", roles=["analyst"]))
            async with running_nginx(config), stack.session() as session:
                funnel = await _funnel(
                    session, stack.url("/v1/reports/funnel?since=9999d"), analyst
                )
                async with session.get(stack.url("/v1/reports/funnel")) as r:
                    anonymous = r.status, r.headers["X-Content-Type-Options"]
                direct = f"http://127.0.0.1:{layout.booking_port}/v1/reports/funnel"
                async with session.get(direct, headers=analyst) as r:
                    at_booking = r.status
        finally:
            analytics.send_signal(signal.SIGTERM)
            async with asyncio.timeout(BOUND_S):
                analytics_exit = await analytics.wait()
            booking_exit = await booking.stop()

    assert dict(funnel["rows"])["ticketed"] == 2
    assert anonymous == (401, "nosniff")  # the analytics process's answer, the gateway's headers
    assert at_booking == 404  # booking serves no reports: it has no store
    assert (analytics_exit, booking_exit) == (0, 0)
