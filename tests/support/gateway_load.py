"""A steady, bounded load through the gateway while a test kills or restarts processes:

    load = GatewayLoad(stack, session)
    async with load.running(searchers=2, orderers=2):
        ...  # kill, restart; `await load.until(lambda t: ...)` waits on what it answered
    assert load.failures() == []

Searchers ask cached searches; orderers find a fresh offer (a live search), hold it with an
`Idempotency-Key` and read the order back. Each worker pauses between requests: load, not a
flood, on a shared 2-core machine (and under the gateway's per-address search limit).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from search.model import MAX_DAYS_AHEAD
from tests.support.booking import adult, in_days
from tests.support.gateway import SEARCH_RATE, GatewayStack
from tests.support.tokens import bearer, mint_token

# Every worker sends at most one anonymous search per pause, all from 127.0.0.1: the load stays
# under the gateway's anonymous search limit however fast the machine answers (with 0.05 s, four
# workers could send 80/s against a limit of 50, and a quiet machine got 429s).
PAUSE_S = 0.1
CACHED_DAYS = (210, 211, 212)
FIRST_ORDER_DAY = 20


def order_days() -> Iterator[int]:
    """How many days ahead each order's flight leaves: a fresh flight per order (no price moved
    by another order), and round again from the start after the booking horizon. Counting on
    past it, every live search of the orderers was answered 422 (a date too far ahead) and the
    load made no order any more: a long test (a rolling restart on a busy machine) timed out
    waiting for one."""
    return itertools.cycle(range(FIRST_ORDER_DAY, MAX_DAYS_AHEAD + 1))


@dataclass
class Answer:
    at: float
    kind: str  # "search" | "offer" | "order" | "read"
    status: int  # 0: no HTTP answer (a connection error, a timeout)
    error: str = ""


@dataclass
class GatewayLoad:
    stack: GatewayStack
    session: aiohttp.ClientSession
    answers: list[Answer] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # ids of the orders answered 201
    travelers: list[str] = field(default_factory=list)
    _running: bool = True
    _days: Iterator[int] = field(default_factory=order_days)
    _waiting: dict[int, tuple[str, float]] = field(default_factory=dict)  # kind, sent at
    _request_ids: itertools.count[int] = field(default_factory=itertools.count)

    def count(self, kind: str, status: int | None = None, *, since: float = 0.0) -> int:
        return sum(
            1
            for a in self.answers
            if a.kind == kind and a.at >= since and (status is None or a.status == status)
        )

    def failures(self) -> list[Answer]:
        """Answers that are no answer or a server error: what a traveler would see fail."""
        return [a for a in self.answers if a.status == 0 or a.status >= 500]

    async def until(self, probe: Callable[[GatewayLoad], bool], *, timeout_s: float = 30) -> None:
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    if probe(self):
                        return
                    await asyncio.sleep(0.02)
        except TimeoutError:
            # What the load saw meanwhile: a bare TimeoutError said nothing the times it came.
            raise AssertionError(f"not reached in {timeout_s} s: {self.report(started)}") from None

    def report(self, since: float) -> str:
        """The answers since `since` by kind and status, the requests still unanswered (with
        their age in seconds) and the last errors."""
        answered = Counter((a.kind, a.status) for a in self.answers if a.at >= since)
        now = time.monotonic()
        waiting = sorted((kind, round(now - sent, 1)) for kind, sent in self._waiting.values())
        errors = [a.error for a in self.answers if a.at >= since and a.error][-3:]
        return f"answered {dict(answered)}, unanswered {waiting}, last errors {errors}"

    @asynccontextmanager
    async def running(self, *, searchers: int, orderers: int) -> AsyncIterator[GatewayLoad]:
        most_per_s = (searchers + orderers) / PAUSE_S
        assert most_per_s < SEARCH_RATE, f"{most_per_s:g} searches/s would meet the gateway's limit"
        tokens = []
        for _ in range(orderers):
            sub = f"gw-load-{uuid.uuid4().hex[:8]}"
            self.travelers.append(sub)
            tokens.append(bearer(await mint_token(self.stack.sim.url, sub)))
        tasks = [asyncio.create_task(self._searching(n)) for n in range(searchers)]
        tasks += [asyncio.create_task(self._ordering(headers)) for headers in tokens]
        try:
            yield self
        finally:
            self._running = False
            await asyncio.gather(*tasks)

    async def _searching(self, worker: int) -> None:
        for n in itertools.count(worker):
            if not self._running:
                return
            day = CACHED_DAYS[n % len(CACHED_DAYS)]
            query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(day)}
            await self._record("search", "GET", "/v1/search", params=query)
            await asyncio.sleep(PAUSE_S)

    async def _ordering(self, headers: dict[str, str]) -> None:
        while self._running:
            day = next(self._days)  # a fresh flight per order: no price moved by another
            query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(day)}
            params = {**query, "cache": "false", "max_connections": "0"}
            search = await self._record("offer", "GET", "/v1/search", params=params)
            offers = [o for o in (search or {}).get("offers", []) if o["source"][:5] == "rest-"]
            if offers:
                body = {"offer_id": offers[0]["id"], "passengers": [adult()]}
                key = {"Idempotency-Key": str(uuid.uuid4())}
                order = await self._record(
                    "order", "POST", "/v1/orders", json=body, headers=headers | key
                )
                if order and order.get("id", "").startswith("ord_"):
                    self.created.append(order["id"])
                    await self._record("read", "GET", f"/v1/orders/{order['id']}", headers=headers)
            await asyncio.sleep(PAUSE_S)

    async def _record(self, kind: str, method: str, path: str, **kwargs: Any) -> Any:
        request_id = next(self._request_ids)
        self._waiting[request_id] = (kind, time.monotonic())
        try:
            async with self.session.request(method, self.stack.url(path), **kwargs) as response:
                body = await response.json(content_type=None)
                self.answers.append(Answer(time.monotonic(), kind, response.status))
                return body if response.status < 300 else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            self.answers.append(Answer(time.monotonic(), kind, 0, repr(exc)))
            return None
        finally:
            del self._waiting[request_id]
