"""Processes behind the gateway killed and restarted under a steady load: nothing a traveler
sees fails, no order is lost (DESIGN.md "Deployable services"; deploy/README.md)."""

from __future__ import annotations

import time
from pathlib import Path

import asyncpg
import pytest

from tests.support.booking import in_days
from tests.support.gateway import gateway_stack
from tests.support.gateway_load import GatewayLoad
from tests.support.payment_sim import eventually
from tests.support.services import kill_hard, served

# Processes start one after another here: a busy 2-core machine needs more than the default 60 s.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


async def test_a_search_process_killed_mid_load_costs_no_search_an_error(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with gateway_stack(database_url, redis_url, tmp_path) as stack, stack.session() as s:
        load = GatewayLoad(stack, s)
        async with load.running(searchers=3, orderers=0):
            await load.until(lambda t: t.count("search", 200) >= 20)
            kill_hard(stack.processes[stack.layout.search_ports[0]])
            killed_at = time.monotonic()
            # Long enough for requests to meet the dead process: its keep-alive connections,
            # then new ones, until nginx leaves it out; and after that.
            await load.until(lambda t: t.count("search", since=killed_at) >= 60)
        # And with no search process left, a problem document from the gateway.
        kill_hard(stack.processes[stack.layout.search_ports[1]])
        query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(70)}
        async with s.get(stack.url("/v1/search"), params=query) as response:
            none_left = response.status, response.headers.get("Retry-After")
            doc = await response.json(content_type="application/problem+json")
    assert load.failures() == []
    assert {a.status for a in load.answers} == {200}
    assert none_left == (503, "1")
    assert doc["type"] == "https://skyfare.dev/problems/service-unavailable"


async def test_a_rolling_restart_of_every_process_fails_no_request_and_loses_no_order(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with gateway_stack(database_url, redis_url, tmp_path) as stack, stack.session() as s:
        layout = stack.layout
        load = GatewayLoad(stack, s)
        async with load.running(searchers=2, orderers=2):
            await load.until(lambda t: t.count("order", 201) >= 2)
            for port in layout.search_ports:
                await stack.restart(port)  # drained, exited 0, started again
                # Back in nginx's rotation (a failed server is left out for fail_timeout)
                # before the next one stops.
                await _until_served(load, port, "search_get")
            # Booking has one process: its replacement starts on the backup address first.
            spare = await stack.start("booking", layout.booking_spare_port)
            await stack.restart(layout.booking_port)
            await _until_served(load, layout.booking_port, "orders_create")
            assert await spare.stop() == 0
            restarted_at = time.monotonic()
            await load.until(lambda t: t.count("order", 201, since=restarted_at) >= 2)
        async with asyncpg.create_pool(database_url, min_size=0, max_size=1) as db:
            stored = await db.fetch(
                "SELECT id, status FROM orders WHERE owner = ANY($1)", load.travelers
            )
    assert load.failures() == []
    assert {a.status for a in load.answers} <= {200, 201}
    assert sorted(row["id"] for row in stored) == sorted(load.created)  # none lost, none doubled
    assert {row["status"] for row in stored} == {"held"}


async def _until_served(load: GatewayLoad, port: int, route: str) -> None:
    """Until the process on `port` has answered `route` (2xx); what the load saw if not."""
    started = time.monotonic()
    try:
        await eventually(lambda: served(port, route), bool, timeout=30)
    except TimeoutError:
        report = load.report(started)
        raise AssertionError(f"{route} not served on {port} in 30 s: {report}") from None
