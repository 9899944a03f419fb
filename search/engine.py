"""The fan-out: a search asks every connector serving its route, concurrently, under one deadline.

Each connector is a `ResilientConnector` (breaker, bulkhead, per-call timeout); the engine adds the
deadline of the whole search: at the deadline every connector still running is cancelled and
reported `timeout`. Cancelled calls are awaited for a short grace so that well-behaved connectors
release their bulkhead slots and record their verdicts before the search answers; a connector that
ignores cancellation longer than that is left to finish in the background (kept referenced, and
logged) rather than holding the traveler's answer past the deadline.

The slowest airlines are asked first (`AskOrder`): building and sending one airline's request
takes a few hundred µs of this loop, and a search lasts until its slowest airline has answered,
so that one's clock should start first. Answers are still reported in configuration order.

Connectors that do not serve the route are not asked and not reported: `meta.connectors` lists the
connectors a search concerned, and `skipped` keeps its one meaning, "refused by our own bulkhead".
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncGenerator, Callable, Sequence

import msgspec

from connectors.errors import ConnectorError
from connectors.model import FlightQuery, Offer
from connectors.resilience import ResilientConnector
from kernel.errors import ServiceUnavailable
from kernel.tracing import span
from search.metrics import SearchMetrics
from search.model import ConnectorOutcome, ConnectorReport

logger = logging.getLogger(__name__)

# Refused without asking the airline: they say nothing about whether it would have answered.
REFUSED: frozenset[ConnectorOutcome] = frozenset({"circuit_open", "skipped"})
_OUTCOMES: dict[str, ConnectorOutcome] = {
    "ok": "ok", "timeout": "timeout", "error": "error",
    "circuit_open": "circuit_open", "skipped": "skipped",
}  # fmt: skip


class Answer(msgspec.Struct, frozen=True):
    """What one connector contributed to one search (its offers unranked)."""

    connector: str
    status: ConnectorOutcome
    offers: list[Offer]
    seconds: float

    def report(self) -> ConnectorReport:
        return ConnectorReport(
            name=self.connector,
            status=self.status,
            offers=len(self.offers),
            latency_ms=round(self.seconds * 1000),
        )


class AskOrder:
    """Which connectors to ask first: the slowest by their recent answers (a moving average of
    the seconds of each `ok` answer), those never heard from first of all."""

    # Each answer moves a connector's average a fifth of the way: a few searches follow a change.
    WEIGHT = 0.2

    def __init__(self) -> None:
        self.typical: dict[str, float] = {}

    def seen(self, name: str, seconds: float) -> None:
        known = self.typical.get(name)
        self.typical[name] = seconds if known is None else known + (seconds - known) * self.WEIGHT

    def first_slowest(self, connectors: Sequence[ResilientConnector]) -> list[ResilientConnector]:
        typical = self.typical
        return sorted(connectors, key=lambda c: -typical.get(c.name, math.inf))


class FanOut:
    """Asks the connectors that serve a query and yields their answers as they come."""

    def __init__(
        self,
        connectors: Sequence[ResilientConnector],
        *,
        clock: Callable[[], float] = time.monotonic,
        metrics: SearchMetrics | None = None,
        cancel_grace_s: float = 0.005,
    ) -> None:
        self.connectors = tuple(connectors)
        self._clock = clock
        self._metrics = metrics or SearchMetrics()
        self._metrics.start(c.name for c in self.connectors)
        self._grace = cancel_grace_s
        self._orphans: set[asyncio.Task[Answer]] = set()
        self.ask_order = AskOrder()

    @property
    def orphans(self) -> int:
        """Connector calls that ignored cancellation and still run after their search answered."""
        return len(self._orphans)

    async def answers(self, query: FlightQuery, deadline: float) -> AsyncGenerator[Answer, None]:
        """Each serving connector's answer as it arrives; at `deadline` (clock) the rest time out.

        Refusals (circuit open, bulkhead full) are held back until a connector is actually asked:
        when every serving connector refused, `ServiceUnavailable` is raised before anything is
        yielded, so a streamed search can still answer 503. Nothing is yielded, and no error
        raised, when no connector serves the route.
        """
        serving = [c for c in self.connectors if c.serves(query)]
        if not serving:
            return
        start = self._clock()
        started = {
            c.name: asyncio.create_task(self._ask(c, query, deadline))
            for c in self.ask_order.first_slowest(serving)
        }
        tasks = {started[c.name]: c.name for c in serving}  # configuration order, for the output
        pending: set[asyncio.Task[Answer]] = set(tasks)
        held: list[Answer] = []
        asked = False
        try:
            while pending:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    break
                done, pending = await asyncio.wait(
                    pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
                for task in [t for t in tasks if t in done]:  # connector order: stable output
                    answer = task.result()
                    if not asked:
                        if answer.status in REFUSED:
                            held.append(answer)
                            continue
                        asked = True
                        for refused in held:
                            yield refused
                        held.clear()
                    yield answer
        finally:
            late = [t for t in tasks if t in pending]
            await self._cancel(late, tasks)
        elapsed = self._clock() - start
        timed_out = [self._answer(tasks[t], "timeout", [], elapsed) for t in late]
        if not asked and not timed_out:
            refusals = ", ".join(f"{a.connector} {a.status}" for a in held)
            raise ServiceUnavailable(f"no airline could be asked: {refusals}")
        for answer in held + timed_out:
            yield answer

    async def close(self) -> None:
        """Cancel what still runs after its search (orphans) and wait for it, briefly."""
        for task in self._orphans:
            task.cancel()
        if self._orphans:
            await asyncio.wait(self._orphans, timeout=1.0)

    async def _ask(
        self, connector: ResilientConnector, query: FlightQuery, deadline: float
    ) -> Answer:
        start = self._clock()
        offers: list[Offer] = []
        status: ConnectorOutcome = "ok"
        # One span per airline asked (its HTTP calls, retries and hedges are its children).
        with span(
            f"connector {connector.name}", attributes={"skyfare.connector": connector.name}
        ) as traced:
            try:
                offers = await connector.search(query, timeout=deadline - start)
            except ConnectorError as exc:
                status = _OUTCOMES.get(exc.status, "error")
                logger.debug("connector %s: search %s: %s", connector.name, status, exc)
            except Exception:
                # A connector bug must cost its own answer, never the search.
                status = "error"
                logger.exception("connector %s: search failed unexpectedly", connector.name)
            if traced is not None:
                traced.set_attributes(
                    {"skyfare.connector.outcome": status, "skyfare.offers": len(offers)}
                )
        return self._answer(connector.name, status, offers, self._clock() - start)

    def _answer(
        self, name: str, status: ConnectorOutcome, offers: list[Offer], seconds: float
    ) -> Answer:
        self._metrics.answer(name, status, seconds)
        if status == "ok":
            self.ask_order.seen(name, seconds)
        return Answer(name, status, offers, seconds)

    async def _cancel(
        self, late: list[asyncio.Task[Answer]], names: dict[asyncio.Task[Answer], str]
    ) -> None:
        if not late:
            return
        for task in late:
            task.cancel()
        _, stuck = await asyncio.wait(late, timeout=self._grace)
        for task in stuck:
            logger.warning("connector %s: search ignored cancellation, left to finish", names[task])
            self._orphans.add(task)
            task.add_done_callback(self._orphans.discard)
