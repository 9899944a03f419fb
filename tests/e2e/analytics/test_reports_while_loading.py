"""`skyfare analytics` answers the reports while its consumer loads a batch: the consumer's DuckDB
work runs in a thread of its own, not on the event loop the report routes share with it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec
import redis.asyncio as redis
from aiohttp.test_utils import TestClient, TestServer

from analytics.consumer import AnalyticsConsumer
from analytics.rows import Row
from analytics.store import AnalyticsStore
from skyfare.app import create_app
from skyfare.services import ANALYTICS
from skyfare.settings import Settings
from tests.support.analytics import published_day
from tests.support.booking import trusting_sim
from tests.support.payment_sim import eventually
from tests.support.sim import running_sim
from tests.support.tokens import bearer, mint_token

BOUND_S = 30.0


class GatedStore(AnalyticsStore):
    """The real store, whose next load waits (blocking, as a big batch does) until `opened`:
    a batch the test can keep loading for as long as it asks its questions."""

    def __init__(self, directory: str) -> None:
        super().__init__(directory)
        self.loading = threading.Event()
        self.opened = threading.Event()
        self.opened_in_time: bool | None = None

    def load(self, rows: Mapping[str, Sequence[Row]], positions: Mapping[str, str]) -> None:
        if self.opened_in_time is None:
            self.loading.set()
            self.opened_in_time = self.opened.wait(BOUND_S)
        super().load(rows, positions)


async def _funnel(http: TestClient, analyst: dict[str, str]) -> dict[str, int]:
    async with http.get("/v1/reports/funnel", headers=analyst) as response:
        return dict((await response.json())["rows"])


async def test_a_report_is_answered_while_a_batch_loads(
    settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    store = GatedStore(str(tmp_path))
    async with published_day(redis_url) as streams, running_sim() as sim:
        served = msgspec.structs.replace(
            trusting_sim(settings, sim),
            usage_stream=streams[0],
            event_stream=streams[1],
            analytics_dir=str(tmp_path),
        )
        client = redis.Redis.from_url(redis_url)
        consumer = AnalyticsConsumer(
            client, store, usage_stream=streams[0], event_stream=streams[1], block_ms=50
        )
        analyst = bearer(await mint_token(sim.url, "ana", roles=["analyst"]))
        async with TestClient(TestServer(create_app(served, ANALYTICS))) as http:
            loading = asyncio.create_task(consumer.run())
            try:
                assert await asyncio.to_thread(store.loading.wait, BOUND_S)
                response = await http.get("/v1/reports/funnel", headers=analyst)
                body = await response.json()
                store.opened.set()  # the batch goes on
                loaded = await eventually(
                    lambda: _funnel(http, analyst),
                    lambda funnel: funnel["search"] == 30,
                    timeout=BOUND_S,
                )
            finally:
                store.opened.set()
                consumer.stop()
                await loading
                await client.aclose()

    assert response.status == 200, body
    assert dict(body["rows"])["search"] == 0  # answered before the batch committed
    assert store.opened_in_time  # the batch waited for the answer, not the answer for it
    assert loaded["ticketed"] == 2
