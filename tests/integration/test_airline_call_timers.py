"""One timer per airline call (kernel/timeouts.py): under the resilience layer a REST, SOAP or NDC
search arms the layer's `asyncio.timeout` and none of its own, unless the airline's ceiling comes
before the deadline; and a hanging airline is still cut with the error, outcome and breaker
verdict it got when both timers were armed (the messages are the ones the old path gave)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import pytest
from prometheus_client import REGISTRY

from connectors import errors
from connectors.registry import build_connectors
from connectors.resilience import ResiliencePolicy, ResilientConnector
from connectors.rest.connector import RestConnector
from tests.support.flights import LHR_JFK
from tests.support.http1_server import server
from tests.support.sim import SimHandle

NO_RETRY = ResiliencePolicy(retries=0, min_calls=1000)


@pytest.fixture
def timers(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """The delay of every `asyncio.timeout` armed while the test runs."""
    armed: list[float | None] = []
    real = asyncio.timeout

    def counting(delay: float | None) -> asyncio.Timeout:
        armed.append(delay)
        return real(delay)

    monkeypatch.setattr(asyncio, "timeout", counting)
    return armed


@asynccontextmanager
async def started(sim: SimHandle, name: str, **settings: Any) -> AsyncIterator[ResilientConnector]:
    (config,) = [c for c in sim.connector_settings() if c.name == name]
    (connector,) = build_connectors([msgspec.structs.replace(config, **settings)])
    await connector.start()
    try:
        await connector.search(LHR_JFK, timeout=2.0)  # a SOAP airline loads its WSDL first
        yield connector
    finally:
        await connector.close()


@pytest.mark.parametrize("name", ["rest-britannia", "soap-nordic", "ndc-crimson"])
async def test_each_kind_of_airline_search_arms_one_timer_under_the_resilience_layer(
    sim: SimHandle, timers: list[float | None], name: str
) -> None:
    async with started(sim, name) as connector:
        timers.clear()
        offers = await connector.search(LHR_JFK, timeout=2.0)

    assert offers
    assert len(timers) == 1


async def test_an_airline_whose_ceiling_comes_before_the_deadline_arms_its_own_timer_too(
    sim: SimHandle, timers: list[float | None]
) -> None:
    async with started(sim, "rest-britannia", timeout_s=1.0) as connector:
        timers.clear()
        await connector.search(LHR_JFK, timeout=2.0)

    assert timers[1:] == [1.0]  # the resilience layer's 2 s, then the airline's ceiling


def counted(connector: ResilientConnector, outcome: str) -> float:
    labels = {"connector": connector.name, "operation": "search", "outcome": outcome}
    return REGISTRY.get_sample_value("skyfare_connector_calls_total", labels) or 0.0


# Each case's other bound is far off: the two timers are armed a connection's opening apart, which
# a busy machine can stretch past any small margin.
@pytest.mark.parametrize(
    ("name", "ceiling", "deadline", "message"),
    [
        ("air-deadline", 30.0, 0.05, "air-deadline: search took over 0.050s"),
        ("air-ceiling", 0.05, 30.0, "air-ceiling: /shopping took over 0.050s"),
    ],
    ids=["the deadline cuts", "the ceiling cuts"],
)
async def test_a_hanging_airline_is_cut_as_a_timeout_that_counts_against_it(
    name: str, ceiling: float, deadline: float, message: str
) -> None:
    gate = asyncio.Event()
    async with server(gate=gate) as srv:
        inner = RestConnector(name, srv.url, max_timeout_s=ceiling, max_connections=1)
        connector = ResilientConnector(inner, NO_RETRY)
        before = counted(connector, "timeout")
        with pytest.raises(errors.ConnectorTimeout) as timed_out:
            await connector.search(LHR_JFK, timeout=deadline)
        status = connector.status()
        gate.set()
        await connector.close()

    assert str(timed_out.value) == message
    assert counted(connector, "timeout") == before + 1
    assert (status.calls, status.error_rate, status.in_flight) == (1, 1.0, 0)
