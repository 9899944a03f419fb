"""Breaker transitions become usage events (skyfare/usage.py `watch_breakers`)."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors import errors
from connectors.model import FlightQuery, Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from kernel.usage import BreakerEvent, HitStamp, UsageEvent
from skyfare.usage import watch_breakers
from tests.fakes import FakeConnector


class ListSink:
    def __init__(self) -> None:
        self.events: list[UsageEvent] = []

    def emit(self, event: UsageEvent) -> None:
        self.events.append(event)

    def emit_json(self, data: bytes) -> None:
        raise AssertionError("breaker events are Structs")

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None:
        raise AssertionError("breaker events are Structs")


async def test_a_breaker_that_opens_emits_one_breaker_event() -> None:
    clock = [0.0]
    failing = FakeConnector("rest-failing", fail_with=errors.ConnectorUnavailable("down"))
    connector = ResilientConnector(
        failing, ResiliencePolicy(min_calls=2, retries=0), clock=lambda: clock[0]
    )
    sink = ListSink()
    watch_breakers([connector], sink)
    query = FlightQuery(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 1, 1)),), passengers=Passengers()
    )

    for _ in range(3):
        with pytest.raises(errors.ConnectorError):
            await connector.search(query, timeout=1.0)

    assert [(e.connector, e.state) for e in sink.events if isinstance(e, BreakerEvent)] == [
        ("rest-failing", "open")
    ]
