"""Nothing lost: `skyfare serve` is SIGKILLed between the airline's hold and the order's update,
and the reconciler of the next process completes the order — for real, with processes.

The sim runs in the test; the airline records the hold and then answers late
(`commit_then_delay_ms`), so the API process is killed while it waits for that answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import msgspec
import pytest
import redis.asyncio as redis

from tests.e2e.conftest import closed_port
from tests.support.airline_orders import until
from tests.support.booking import adult, in_days
from tests.support.services import ready_limit_s
from tests.support.sim import SimHandle, fast_profiles, running_sim
from tests.support.tokens import bearer, mint_token, sim_issuer

pytestmark = pytest.mark.slow


class Api:
    """One `skyfare serve --workers 1` process (its own process group) and its base URL."""

    def __init__(self, process: asyncio.subprocess.Process, base: str) -> None:
        self.process = process
        self.base = base

    def kill(self) -> None:
        """SIGKILL the server and every process it started, at once: a machine that died."""
        os.killpg(self.process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=20)
            except TimeoutError:
                os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()


@contextlib.asynccontextmanager
async def running_api(env: dict[str, str], log: Path) -> AsyncIterator[Api]:
    port = closed_port()
    with log.open("a") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "skyfare.cli", "serve", "--workers", "1",
            env={**env, "SKYFARE_PORT": str(port)},
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,  # its own process group: killed as one
        )  # fmt: skip
    api = Api(process, f"http://127.0.0.1:{port}")
    try:
        assert process.stdout is not None
        # As long as the test can wait: a loaded machine starts slowly (tests/support/services.py).
        ready = await asyncio.wait_for(process.stdout.readline(), ready_limit_s())
        assert b"ready on" in ready, _tail(log)
        yield api
    finally:
        await api.stop()


def _with_search_path(url: str, schema: str) -> str:
    """`url` whose connections use `schema` (asyncpg passes unknown query parameters on as
    server settings), so this test's processes see only this test's tables."""
    parts = urllib.parse.urlsplit(url)
    query = [*urllib.parse.parse_qsl(parts.query), ("search_path", schema)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _environment(
    database_url: str, redis_url: str, stream: str, sim: SimHandle, data: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
    connectors = msgspec.json.encode(sim.connector_settings()).decode()
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SKYFARE_CONNECTORS=connectors,
        SKYFARE_JWT_ISSUER=sim_issuer(sim.url),
        SKYFARE_SIM_PORT=sim.url.rsplit(":", 1)[1],
        SKYFARE_EVENT_STREAM=stream,
        SKYFARE_DATA_DIR=str(data),
        SKYFARE_LOG_LEVEL="INFO",
        # The dead request's claim on its Idempotency-Key lapses after this; until then the
        # reconciler leaves the order to that request (booking/reconciler.py).
        SKYFARE_IDEMPOTENCY_LEASE_S="1",
    )
    return env


@pytest.fixture
async def stream(redis_url: str) -> AsyncIterator[str]:
    """An event stream of this test's own (its processes relay their outbox there)."""
    name = f"test-crash:{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        await client.delete(name)
    finally:
        await client.aclose()


@pytest.fixture
async def schema_url(database_url: str) -> AsyncIterator[str]:
    schema = f"crash_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield _with_search_path(database_url, schema)
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


class Scene:
    """The sim, the test's own view of the database, and the traveler with her request."""

    def __init__(self, sim: SimHandle, http: aiohttp.ClientSession, db: asyncpg.Pool) -> None:
        self.sim = sim
        self.http = http
        self.db = db
        self.key = {"Idempotency-Key": str(uuid.uuid4())}
        self.headers: dict[str, str] = {}
        self.body: dict[str, Any] = {}
        self.slug = ""  # the sim airline of the order's offer

    async def offer(self, api: Api) -> None:
        """Alice's token, and her order's body for a REST airline's offer found through `api`."""
        self.headers = {**bearer(await mint_token(self.sim.url, "alice")), **self.key}
        query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(45)}
        params = {**query, "cache": "false", "max_connections": "0"}
        async with self.http.get(api.base + "/v1/search", params=params) as answer:
            offers = (await answer.json())["offers"]
        offer = next(o for o in offers if o["source"].startswith("rest-"))
        self.slug = offer["source"].removeprefix("rest-")
        self.body = {"offer_id": offer["id"], "passengers": [adult()]}

    async def order(self, api: Api) -> tuple[int, Any]:
        """POST /v1/orders with the same key and body every time."""
        url = api.base + "/v1/orders"
        async with self.http.post(url, json=self.body, headers=self.headers) as answer:
            return answer.status, await answer.json()

    async def airline_booking(self, order_id: str) -> Any:
        """The airline's booking for `order_id`, None while it has none."""
        url = f"{self.sim.url}/rest/{self.slug}/bookings"
        async with self.http.get(url, params={"reference": order_id}) as answer:
            return (await answer.json())["booking"] if answer.status == 200 else None


async def crash_after_the_hold(scene: Scene, env: dict[str, str], log: Path) -> tuple[str, Any]:
    """Order through a process that never reconciles by itself, let the airline hold the seats
    and keep the answer back, SIGKILL the process meanwhile: the order id and the booking."""
    async with running_api({**env, "SKYFARE_RECONCILE_AFTER_S": "3600"}, log) as first:
        await scene.offer(first)
        await scene.sim.set_profile(scene.slug, commit_then_delay_ms=60_000)
        ordering = asyncio.create_task(scene.order(first))
        order_id: str = await until(lambda: scene.db.fetchval("SELECT id FROM orders"))
        booking = await until(lambda: scene.airline_booking(order_id))
        assert booking["status"] == "HELD"

        first.kill()  # between the airline's hold and the order's update
        with pytest.raises(aiohttp.ClientError):
            await ordering
        await first.process.wait()
        await until(lambda: asyncio.to_thread(_group_gone, first.process.pid), timeout_s=5)
    await scene.sim.set_profile(scene.slug, commit_then_delay_ms=0)
    return order_id, booking


async def test_an_order_whose_process_died_after_the_airline_hold_is_completed_by_the_reconciler(
    schema_url: str, redis_url: str, stream: str, tmp_path: Path
) -> None:
    log = tmp_path / "skyfare.log"
    async with (
        running_sim(profiles=fast_profiles()) as sim,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http,
        asyncpg.create_pool(schema_url, min_size=0, max_size=2) as db,
    ):
        scene = Scene(sim, http, db)
        env = _environment(schema_url, redis_url, stream, sim, tmp_path / "data")
        order_id, booking = await crash_after_the_hold(scene, env, log)
        assert await db.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == "pending"

        fast = {"SKYFARE_RECONCILE_AFTER_S": "0.2", "SKYFARE_RECONCILE_INTERVAL_S": "0.1"}
        async with running_api({**env, **fast}, log) as second:
            held = "SELECT status = 'held' FROM orders WHERE id = $1"
            await until(lambda: db.fetchval(held, order_id))
            status, created = await scene.order(second)  # the traveler's retry, same key

        assert status == 201, created
        assert (created["id"], created["status"]) == (order_id, "held")
        assert created["airline_locator"] == booking["locator"]
        last = await db.fetchrow(
            "SELECT from_status, to_status, actor FROM order_history"
            " WHERE order_id = $1 ORDER BY id DESC LIMIT 1",
            order_id,
        )
        assert last is not None
        assert tuple(last.values()) == ("pending", "held", "reconciler")
        events = await db.fetch("SELECT type FROM outbox WHERE order_id = $1", order_id)
        assert [e["type"] for e in events].count("order.held") == 1
        assert await db.fetchval("SELECT count(*) FROM orders") == 1  # no second order
        assert (await sim.stats())[scene.slug]["bookings"] == 1  # one hold asked of the airline


def _group_gone(group: int) -> bool:
    """No process of process group `group` is left (zombies count as gone)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return False
    return True


def _tail(log: Path) -> str:
    return log.read_text()[-3000:] if log.exists() else ""
