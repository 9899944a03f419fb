"""Two airlines over real sockets for the resilience tests: one under test, one steady.

`rest-liberty` is the airline each test breaks (its `ResiliencePolicy` is the test's);
`rest-britannia` answers at once, so a search always has an airline that answered and the fan-out
reports the broken one instead of raising `ServiceUnavailable` (every connector refused).

Britannia's profile has no latency, errors or hangs, so it never draws from the sim's seeded RNG:
every draw goes to liberty, and with searches made one after another the sequence of liberty's
latencies, errors and hangs is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import msgspec
import pytest
from prometheus_client import REGISTRY

from connectors.registry import ConnectorConfig, build_connectors
from connectors.resilience import ConnectorStatus, ResiliencePolicy, ResilientConnector
from search.model import SearchRequest, SearchResponse
from search.service import SearchService
from search.validation import parse_search_query
from tests.support.sim import FAST, SimHandle, running_sim

UNDER_TEST = "rest-liberty"
UNDER_TEST_SLUG = "liberty"
STEADY = "rest-britannia"
DEFAULT_DEADLINE_MS = 300


@dataclass
class Rig:
    """The sim, the two connectors and the service searching them."""

    sim: SimHandle
    airline: ResilientConnector  # rest-liberty, the one under test
    steady: ResilientConnector  # rest-britannia
    service: SearchService

    async def search(self, deadline_ms: int | None = None) -> SearchResponse:
        return await self.service.search(lhr_jfk(deadline_ms))

    async def reached(self) -> int:
        """Search calls that reached the airline under test (the sim's own count)."""
        stats = await self.sim.stats()
        return stats[UNDER_TEST_SLUG]["shopping"]

    def status(self) -> ConnectorStatus:
        (status,) = [s for s in self.service.connector_statuses() if s.name == UNDER_TEST]
        return status


MakeRig = Callable[[ResiliencePolicy], Awaitable[Rig]]


@pytest.fixture
async def make_rig() -> AsyncIterator[MakeRig]:
    """Builds the rig with the given policy for the airline under test; closes it afterwards."""
    started: list[ResilientConnector] = []
    async with running_sim(
        profiles={
            UNDER_TEST_SLUG: dict(FAST),
            "britannia": {"latency_ms": 0, "latency_sigma": 0},
        }
    ) as sim:

        async def make(policy: ResiliencePolicy) -> Rig:
            def policy_for(config: ConnectorConfig) -> ResiliencePolicy:
                return policy if config.name == UNDER_TEST else ResiliencePolicy(retries=0)

            lhr_jfk()  # the first validation loads the airport table: not a search's time
            settings = [c for c in sim.connector_settings() if c.name in (UNDER_TEST, STEADY)]
            connectors = build_connectors(settings, policy_for=policy_for)
            for connector in connectors:
                await connector.start()  # one after another: the sim's RNG draws stay in order
                started.append(connector)
            by_name = {c.name: c for c in connectors}
            service = SearchService(connectors, default_deadline_ms=DEFAULT_DEADLINE_MS)
            return Rig(sim, by_name[UNDER_TEST], by_name[STEADY], service)

        try:
            yield make
        finally:
            for connector in started:
                await connector.close()


def lhr_jfk(deadline_ms: int | None = None) -> SearchRequest:
    """A route both airlines fly, 30 days ahead."""
    today = dt.datetime.now(dt.UTC).date()
    params = {
        "origin": "LHR",
        "destination": "JFK",
        "departure_date": (today + dt.timedelta(days=30)).isoformat(),
        "limit": "500",
    }
    request = parse_search_query(params.items(), today=today)
    # A POST body field (docs/api.md); the GET query has no `deadline_ms`.
    return msgspec.structs.replace(request, deadline_ms=deadline_ms)


def report(response: SearchResponse, name: str = UNDER_TEST) -> tuple[str, int]:
    """`(status, latency_ms)` of one connector in a search's meta."""
    (found,) = [c for c in response.meta.connectors if c.name == name]
    return found.status, found.latency_ms


def offers_from(response: SearchResponse, name: str = UNDER_TEST) -> int:
    return sum(o.source == name for o in response.offers)


def metric(name: str, connector: str = UNDER_TEST) -> float:
    """A sample of the process-global registry: compare before/after, other tests share labels."""
    return REGISTRY.get_sample_value(name, {"connector": connector}) or 0.0
