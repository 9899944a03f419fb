"""An order's re-pricing that held, against real Redis: its look-up of the cached answers (the
`held` counter, the usage event's `source`) runs after the call returned, in one script call per
batch, and always before the order's own sale takes the offer's tag."""

import asyncio
import uuid

import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from cache.tags import InMemoryTagIndex, RedisTagIndex
from connectors import offer_ids
from kernel.tasks import stop_task
from kernel.usage import RepriceEvent, UsageEvent
from search.held_checks import HeldChecks
from skyfare.usage import UsagePriceChecks
from tests.e2e.conftest import closed_port
from tests.integration.cache.test_sold_fares_owed import TIMEOUT, cached_answer, process
from tests.support.notify import eventually


class ListSink:
    def __init__(self) -> None:
        self.events: list[UsageEvent] = []

    def emit(self, event: UsageEvent) -> None:
        self.events.append(event)


def new_offer() -> str:
    return offer_ids.encode("fake", uuid.uuid4().hex)


def held() -> float:
    return REGISTRY.get_sample_value("skyfare_cache_price_checks_total", {"outcome": "held"}) or 0


def sources(sink: ListSink) -> list[str]:
    return [e.source for e in sink.events if isinstance(e, RepriceEvent)]


async def test_a_price_that_held_is_looked_up_after_the_order_moved_on(
    client: aioredis.Redis,
) -> None:
    cached, live = new_offer(), new_offer()
    await cached_answer(client, cached)
    stale, sink = process(client), ListSink()
    checks = UsagePriceChecks(stale, sink)
    before = held()

    await checks.checked(cached, "held")
    await checks.checked(live, "held")

    assert sink.events == []  # nothing asked of Redis yet: the order goes on at once
    await stale.finish_owed()
    assert sources(sink) == ["cache", "live"]
    assert [e.outcome for e in sink.events if isinstance(e, RepriceEvent)] == ["held", "held"]
    assert held() == before + 1  # counted only where a cached answer held the offer


async def test_the_task_answers_queued_checks_without_being_asked(client: aioredis.Redis) -> None:
    offer = new_offer()
    await cached_answer(client, offer)
    stale, sink = process(client), ListSink()
    task = asyncio.create_task(stale.run(retry_every_s=60))
    try:
        await UsagePriceChecks(stale, sink).checked(offer, "held")
        await eventually(lambda: bool(sink.events))
    finally:
        await stop_task(task)
    assert sources(sink) == ["cache"]


async def test_the_orders_own_sale_does_not_take_the_tag_before_its_check_read_it(
    client: aioredis.Redis,
) -> None:
    offer = new_offer()
    key = await cached_answer(client, offer)
    stale, sink = process(client), ListSink()
    checks = UsagePriceChecks(stale, sink)
    task = asyncio.create_task(stale.run(retry_every_s=60))
    try:
        await checks.checked(offer, "held")
        await checks.sold(offer)  # at once: the check is still queued when the sale starts
        await stale.finish_owed()
    finally:
        await stop_task(task)
    assert sources(sink) == ["cache"]
    assert await client.get(f"skyfare:fares:{{tags}}:evicted:v1:{key}") is not None  # taken


async def test_a_check_redis_cannot_answer_reports_live_and_never_raises() -> None:
    dead = aioredis.Redis.from_url(
        f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.3
    )
    try:
        stale, sink = process(dead), ListSink()
        checks = UsagePriceChecks(stale, sink)
        await checks.checked(new_offer(), "held")
        await stale.finish_owed()
    finally:
        await dead.aclose()
    assert sources(sink) == ["live"]


async def test_contains_each_answers_each_tag_in_order(client: aioredis.Redis) -> None:
    a, b = new_offer(), new_offer()
    await cached_answer(client, a)
    tags = RedisTagIndex(client)

    assert await tags.contains_each([b, a, b, a], timeout=TIMEOUT) == [False, True, False, True]
    assert await tags.contains_each([], timeout=TIMEOUT) == []


async def test_a_sale_waits_for_a_check_of_its_offer_at_most_the_timeout() -> None:
    checks = HeldChecks(InMemoryTagIndex(), timeout_s=0.01)
    heard: list[bool] = []
    checks.check("off_x", heard.append)  # no task runs: nobody answers it

    await checks.answered("off_x")  # returns (logged) rather than hold the order up
    await checks.answered("off_y")  # nothing queued: returns at once

    await checks.flush()
    assert heard == [False]
