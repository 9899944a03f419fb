"""Load for the fault tests: travelers searching and ordering through the app while a test kills
and restarts a real PostgreSQL or Redis under it, and the figures that load leaves behind.

`async with driving(client, sim) as load:` runs searches (the fare cache's path) and orders
(a live search for a fresh offer, then a hold and a read of the traveler's orders) until the
block ends; `load.tally` counts every answer by kind and status. With `SKYFARE_FAULT_REPORT`
set to a file, `report()` appends the figures of one fault as a JSON line (bench/faults.py
collects them into bench/results/faults.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.support.booking import adult, in_days
from tests.support.sim import SimHandle
from tests.support.tokens import bearer, mint_token
from tests.support.waits import WAIT_S

Client = TestClient[web.Request, web.Application]
REPORT_ENV = "SKYFARE_FAULT_REPORT"
PAUSE_S = 0.02  # between one worker's requests: load, not a flood, on a shared 2-core machine
TRAVELERS = 6
CACHED_DAYS = (200, 201, 202)  # the searches the fare cache serves
SERVER_ERROR = 500


@dataclass
class Answer:
    sent: float  # time.monotonic() when asked
    at: float  # time.monotonic() when answered
    kind: str  # "search" | "offer" | "order" | "orders"
    status: int  # 0: no HTTP answer at all
    cache: str | None = None  # X-Cache of a search
    cache_unavailable: bool = False  # a search's meta.cache_unavailable: Redis could not be asked
    retry_after: str | None = None
    order_id: str | None = None


@dataclass
class Tally:
    answers: list[Answer] = field(default_factory=list)

    def count(self, kind: str, status: int | None = None, *, since: float = 0.0) -> int:
        return sum(
            1
            for a in self.answers
            if a.kind == kind and a.at >= since and (status is None or a.status == status)
        )

    def of(self, kind: str, *, since: float = 0.0, until: float = float("inf")) -> list[Answer]:
        """The answers of `kind` to requests sent, and answered, between `since` and `until`."""
        return [a for a in self.answers if a.kind == kind and since <= a.sent and a.at < until]

    def created(self) -> set[str]:
        """Ids of the orders answered 201."""
        return {a.order_id for a in self.answers if a.kind == "order" and a.order_id}

    def figures(self) -> dict[str, Any]:
        """Requests sent, answers by kind and status, server errors and failed requests."""
        by_status: dict[str, dict[str, int]] = {}
        for a in self.answers:
            kinds = by_status.setdefault(a.kind, {})
            kinds[str(a.status)] = kinds.get(str(a.status), 0) + 1
        errors = Counter(str(a.status) for a in self.answers if a.status >= SERVER_ERROR)
        return {
            "requests": len(self.answers),
            "answers": by_status,
            "errors": dict(errors),
            "no_answer": sum(1 for a in self.answers if a.status == 0),
        }


class Load:
    """Two searching and two ordering travelers, until `stop()`."""

    def __init__(self, client: Client, sim: SimHandle, tokens: list[dict[str, str]]) -> None:
        self.client = client
        self.sim = sim
        self.tally = Tally()
        self._tokens = itertools.cycle(tokens)
        self._days = itertools.cycle(range(20, 190))  # a fresh flight per order: prices move
        self._running = True

    async def until(self, probe: Callable[[Tally], bool], *, timeout_s: float = WAIT_S) -> None:
        """Wait (bounded) until `probe(tally)` holds."""
        async with asyncio.timeout(timeout_s):
            while True:
                if probe(self.tally):
                    return
                await asyncio.sleep(0.02)

    def stop(self) -> None:
        self._running = False

    async def searching(self, worker: int) -> None:
        for n in itertools.count(worker):
            if not self._running:
                return
            day = CACHED_DAYS[n % len(CACHED_DAYS)]
            query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(day)}
            await self._record("search", "GET", "/v1/search", params=query)
            await asyncio.sleep(PAUSE_S)

    async def ordering(self) -> None:
        while self._running:
            headers = next(self._tokens)
            offer = await self._offer(next(self._days))
            if offer is not None:
                body = {"offer_id": offer, "passengers": [adult()]}
                key = {"Idempotency-Key": os.urandom(12).hex()}
                await self._record("order", "POST", "/v1/orders", json=body, headers=headers | key)
                await self._record("orders", "GET", "/v1/orders", headers=headers)
            await asyncio.sleep(PAUSE_S)

    async def _offer(self, days: int) -> str | None:
        query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(days)}
        params = {**query, "cache": "false", "max_connections": "0"}
        answer = await self._record("offer", "GET", "/v1/search", params=params)
        rest = [o for o in (answer or {}).get("offers", []) if o["source"].startswith("rest-")]
        return str(rest[0]["id"]) if rest else None

    async def _record(self, kind: str, method: str, path: str, **kwargs: Any) -> Any:
        sent = time.monotonic()
        try:
            async with self.client.request(method, path, **kwargs) as response:
                body = await response.json(content_type=None)
                answer = Answer(
                    sent,
                    time.monotonic(),
                    kind,
                    response.status,
                    cache=response.headers.get("X-Cache"),
                    cache_unavailable=kind == "search"
                    and bool((body or {}).get("meta", {}).get("cache_unavailable")),
                    retry_after=response.headers.get("Retry-After"),
                    order_id=body.get("id") if kind == "order" and response.status == 201 else None,
                )
        except (aiohttp.ClientError, TimeoutError, ValueError):
            self.tally.answers.append(Answer(sent, time.monotonic(), kind, 0))
            return None
        self.tally.answers.append(answer)
        return body


@contextlib.asynccontextmanager
async def driving(client: Client, sim: SimHandle) -> AsyncIterator[Load]:
    """`Load` running in the background for the block; stopped and awaited after it."""
    tokens = [bearer(await mint_token(sim.url, f"fault-{i}")) for i in range(TRAVELERS)]
    load = Load(client, sim, tokens)
    tasks = [asyncio.create_task(load.searching(i)) for i in range(2)]
    tasks += [asyncio.create_task(load.ordering()) for _ in range(2)]
    try:
        yield load
    finally:
        load.stop()
        await asyncio.gather(*tasks)


def report(fault: str, tally: Tally | None = None, **figures: Any) -> None:
    """Append this fault's figures (the load's, when it had one, and `figures`) to
    `$SKYFARE_FAULT_REPORT` (when set) as one JSON line."""
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    line = {"fault": fault, **(tally.figures() if tally else {}), **figures}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
