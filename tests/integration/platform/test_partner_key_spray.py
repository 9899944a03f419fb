"""Made-up partner keys against real PostgreSQL: a spray of them costs PostgreSQL at most one
query a second per process, however many there are, and never makes a real partner's key cost a
query again, nor locks it out when the reload it causes fails. Statements are counted by
asyncpg's query logger on every pooled connection: the tests assert on what reached PostgreSQL,
never on time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from kernel.errors import ServiceUnavailable, Unauthorized
from skyfare.migrations import migrate
from skyfare.partners import PartnerKeys, generate_key
from tests.support.database import SETUP_TIMEOUT_S, statement_recording_pool
from tests.support.tcp_proxy import PostgresProxy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountedPool:
    """A pool over the test's schema whose every connection records the statements it runs."""

    def __init__(self, pool: asyncpg.Pool, statements: list[str]) -> None:
        self.pool = pool
        self._statements = statements

    def partner_reads(self) -> int:
        return sum("FROM partners" in statement for statement in self._statements)

    def forget(self) -> None:
        self._statements.clear()


@pytest.fixture
async def counted(database_url: str, schema: str) -> AsyncIterator[CountedPool]:
    statements: list[str] = []
    async with statement_recording_pool(database_url, schema, statements) as pool:
        await migrate(pool, timeout=10)
        yield CountedPool(pool, statements)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def keys(counted: CountedPool, clock: FakeClock) -> PartnerKeys:
    return PartnerKeys(counted.pool, cache_ttl_s=30, clock=clock, timeout_s=SETUP_TIMEOUT_S)


async def _refused(keys: PartnerKeys, raw_key: str) -> None:
    with pytest.raises(Unauthorized):
        await keys.authenticate(raw_key)


async def test_a_spray_of_made_up_keys_costs_postgres_at_most_one_query_a_second(
    keys: PartnerKeys, counted: CountedPool, clock: FakeClock
) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.authenticate(raw_key)
    counted.forget()
    for _ in range(3000):  # 3000 distinct keys, in the issued format, over 6 s of this process
        clock.now += 0.002
        await _refused(keys, generate_key())
    assert counted.partner_reads() <= 7  # one a second, and one more for where the second fell


async def test_made_up_keys_at_the_same_moment_share_one_reload(
    keys: PartnerKeys, counted: CountedPool, clock: FakeClock
) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.authenticate(raw_key)
    clock.now += 1.5  # a reload is due: the first miss starts it, the others wait for it
    counted.forget()
    answers = await asyncio.gather(
        *(keys.authenticate(generate_key()) for _ in range(100)), return_exceptions=True
    )
    assert {type(answer) for answer in answers} == {Unauthorized}
    assert counted.partner_reads() == 1


async def test_a_real_partners_key_costs_no_query_after_a_spray(
    keys: PartnerKeys, counted: CountedPool
) -> None:
    partner, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.authenticate(raw_key)
    # More made-up keys than any bound on remembered answers (the old one forgot every answer
    # after 10,000, real partners' too: they needed PostgreSQL again, outage or not).
    for _ in range(10_001):
        await _refused(keys, generate_key())
    counted.forget()
    assert await keys.authenticate(raw_key) == partner
    assert counted.partner_reads() == 0


async def test_a_key_created_after_the_keys_were_loaded_works_on_its_first_request(
    keys: PartnerKeys, counted: CountedPool, clock: FakeClock
) -> None:
    _, first = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.authenticate(first)
    await _refused(keys, generate_key())
    # Made by another process (`skyfare partners create`), a second after this one last looked.
    other_process = PartnerKeys(counted.pool, timeout_s=SETUP_TIMEOUT_S)
    created, later = await other_process.create("skyscanner", rate_per_s=10, burst=10)
    clock.now += 1
    assert await keys.authenticate(later) == created


async def test_a_reload_that_fails_keeps_the_keys_it_had(
    counted: CountedPool, database_url: str, schema: str, clock: FakeClock
) -> None:
    setup = PartnerKeys(counted.pool, timeout_s=SETUP_TIMEOUT_S)
    partner, raw_key = await setup.create("kayak", rate_per_s=50, burst=100)
    async with (
        PostgresProxy(database_url) as proxy,
        asyncpg.create_pool(
            proxy.url, min_size=0, server_settings={"search_path": schema}
        ) as through,
    ):
        keys = PartnerKeys(through, cache_ttl_s=30, clock=clock, timeout_s=SETUP_TIMEOUT_S)
        await keys.authenticate(raw_key)
        await proxy.cut()
        clock.now += 1.5
        with pytest.raises(ServiceUnavailable):  # its reload failed: maybe a new key, a 503
            await keys.authenticate(generate_key())
        assert await keys.authenticate(raw_key) == partner  # the set it had still answers
        await proxy.restore()
        clock.now += 1
        await _refused(keys, generate_key())  # PostgreSQL answers again: a made-up key is a 401
