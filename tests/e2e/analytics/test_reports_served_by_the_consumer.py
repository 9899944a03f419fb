"""`skyfare analytics` serves the reports of the store it loads (deploy/README.md: the gateway
sends `/v1/reports/` to it, since the store is a file on its own volume): a real process reading
real Redis streams into DuckDB, asked over HTTP with the bearer tokens and problem documents of
every other service, while its consumer keeps loading."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as redis

from analytics.publisher import UsageBuffer
from kernel.usage import BreakerEvent
from tests.e2e.conftest import closed_port
from tests.support.analytics import published_day
from tests.support.payment_sim import eventually
from tests.support.sim import running_sim
from tests.support.tokens import bearer, mint_token, sim_issuer

BOUND_S = 30.0
PROBLEM = "application/problem+json"


@pytest.fixture
async def streams(redis_url: str) -> AsyncIterator[tuple[str, str]]:
    async with published_day(redis_url) as names:  # 30 searches, 3 holds, a breaker opening
        yield names


async def _report(http: aiohttp.ClientSession, name: str, headers: dict[str, str]) -> Any:
    """The report once the process answers it (it starts, then loads the streams)."""
    async with asyncio.timeout(BOUND_S):
        while True:
            try:
                async with http.get(f"/v1/reports/{name}?since=9999d", headers=headers) as r:
                    if r.status == 200:
                        return await r.json()
            except aiohttp.ClientConnectionError:
                pass  # not listening yet
            await asyncio.sleep(0.05)


def _opened(breakers: Any) -> list[list[Any]]:
    """The breakers report's openings (its quiet days hold zeros)."""
    return [row[1:] for row in breakers["rows"] if row[2]]


async def test_the_consumer_process_answers_the_reports_of_what_it_loaded(
    redis_url: str, streams: tuple[str, str], tmp_path: Path
) -> None:
    port = closed_port()
    async with running_sim() as sim:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
        env.update(
            REDIS_URL=redis_url,
            SKYFARE_USAGE_STREAM=streams[0],
            SKYFARE_EVENT_STREAM=streams[1],
            SKYFARE_ANALYTICS_DIR=str(tmp_path),
            SKYFARE_ANALYTICS_PORT=str(port),
            SKYFARE_JWT_ISSUER=sim_issuer(sim.url),
            SKYFARE_LOG_LEVEL="WARNING",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "skyfare.cli", "analytics", env=env, start_new_session=True
        )
        try:
            analyst = bearer(await mint_token(sim.url, "ana", roles=["analyst"]))
            traveler = bearer(await mint_token(sim.url, "alice"))
            async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
                # Served as soon as it listens: before the first batch is in, on a busy machine.
                funnel = await eventually(
                    lambda: _report(http, "funnel", analyst),
                    lambda report: dict(report["rows"])["ticketed"] == 2,
                    timeout=BOUND_S,
                )
                async with http.get("/v1/reports/funnel") as r:
                    anonymous = r.status, r.content_type, r.headers.get("WWW-Authenticate", "")
                async with http.get("/v1/reports/funnel", headers=traveler) as r:
                    forbidden = r.status, (await r.json(content_type=PROBLEM))["type"]
                async with http.get("/v1/reports/nope", headers=analyst) as r:
                    unknown = r.status
                async with http.get("/healthz") as r:
                    healthy = r.status
                async with http.get("/metrics") as r:
                    metrics = await r.text()
                # Loading goes on beside the reads: a report open while the consumer takes
                # the file again once broke it (analytics/store.py, `in_writer_process`).
                client = redis.Redis.from_url(redis_url)
                try:
                    buffer = UsageBuffer(client, streams[0], maxlen=10_000)
                    buffer.emit(BreakerEvent(at=1_800_000_000, connector="ndc-late", state="open"))
                    await buffer.drain()
                finally:
                    await client.aclose()
                breakers = await eventually(
                    lambda: _report(http, "breakers", analyst),
                    lambda report: len(_opened(report)) == 2,
                    timeout=BOUND_S,
                )
        finally:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(BOUND_S):
                exit_code = await process.wait()

    assert dict(funnel["rows"])["search"] == 30
    assert dict(funnel["rows"])["ticketed"] == 2
    assert anonymous[0] == 401
    assert anonymous[1] == PROBLEM
    assert "Bearer" in anonymous[2]
    assert forbidden == (403, "https://skyfare.dev/problems/forbidden")
    assert unknown == 404
    assert healthy == 200
    assert _opened(breakers) == [["soap-nordic", 1], ["ndc-late", 1]]
    assert "skyfare_http_requests_total" in metrics
    assert exit_code == 0
