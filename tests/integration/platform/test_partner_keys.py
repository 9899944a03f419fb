"""Partner keys against real PostgreSQL: issue, authenticate, revoke; stored only hashed."""

from __future__ import annotations

import socket

import asyncpg
import pytest

from kernel.errors import Conflict, ServiceUnavailable, Unauthorized
from skyfare.migrations import migrate
from skyfare.partners import STALE_IF_ERROR_S, PartnerKeys, generate_key, hash_key
from tests.e2e.conftest import closed_port
from tests.support.database import SETUP_TIMEOUT_S
from tests.support.tcp_proxy import PostgresProxy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def migrated(pool: asyncpg.Pool) -> asyncpg.Pool:
    await migrate(pool, timeout=10)
    return pool


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def keys(migrated: asyncpg.Pool, clock: FakeClock) -> PartnerKeys:
    return PartnerKeys(migrated, cache_ttl_s=30, clock=clock, timeout_s=SETUP_TIMEOUT_S)


async def test_a_created_key_authenticates_as_its_partner(keys: PartnerKeys) -> None:
    created, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    partner = await keys.authenticate(raw_key)
    assert partner == created
    assert (partner.name, partner.rate_per_s, partner.burst) == ("kayak", 50, 100)
    assert partner.key_prefix == raw_key[:12]


async def test_only_the_hash_of_the_key_is_stored(
    keys: PartnerKeys, migrated: asyncpg.Pool
) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    row = await migrated.fetchrow("SELECT * FROM partners")
    assert row is not None
    assert raw_key not in [str(value) for value in row.values()]
    assert row["key_hash"] == hash_key(raw_key)


@pytest.mark.parametrize("raw_key", [None, "", "Bearer x", "sk_live_unknown0000000000000000000000"])
async def test_missing_malformed_or_unknown_keys_are_unauthorized(
    keys: PartnerKeys, raw_key: str | None
) -> None:
    await keys.create("kayak", rate_per_s=50, burst=100)
    with pytest.raises(Unauthorized):
        await keys.authenticate(raw_key)


async def test_a_revoked_key_is_refused_once_the_cache_entry_expires(
    keys: PartnerKeys, clock: FakeClock
) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.authenticate(raw_key)
    assert await keys.revoke("kayak") is True
    assert await keys.revoke("kayak") is False  # already revoked
    await keys.authenticate(raw_key)  # still cached: at most the TTL
    clock.now += 31
    with pytest.raises(Unauthorized):
        await keys.authenticate(raw_key)


async def test_a_fresh_process_refuses_a_revoked_key_at_once(
    keys: PartnerKeys, migrated: asyncpg.Pool
) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.revoke("kayak")
    with pytest.raises(Unauthorized):
        await PartnerKeys(migrated, timeout_s=SETUP_TIMEOUT_S).authenticate(raw_key)


async def test_cached_answers_do_not_query_postgres_again(
    keys: PartnerKeys, migrated: asyncpg.Pool
) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.authenticate(raw_key)
    await migrated.execute("DELETE FROM partners")
    assert (await keys.authenticate(raw_key)).name == "kayak"


async def test_a_taken_name_is_a_conflict(keys: PartnerKeys) -> None:
    await keys.create("kayak", rate_per_s=50, burst=100)
    with pytest.raises(Conflict):
        await keys.create("kayak", rate_per_s=1, burst=1)


async def test_a_revoked_name_can_be_given_to_a_new_key(
    keys: PartnerKeys, migrated: asyncpg.Pool
) -> None:
    _, old_key = await keys.create("kayak", rate_per_s=50, burst=100)
    assert await keys.revoke("kayak") is True
    created, new_key = await keys.create("kayak", rate_per_s=10, burst=20)

    fresh = PartnerKeys(migrated, timeout_s=SETUP_TIMEOUT_S)
    assert await fresh.authenticate(new_key) == created
    with pytest.raises(Unauthorized):
        await fresh.authenticate(old_key)
    with pytest.raises(Conflict):  # while the new key is live, the name is taken again
        await keys.create("kayak", rate_per_s=1, burst=1)
    listed = [(p.name, p.key_prefix, p.revoked) for p in await keys.list()]
    assert listed == [("kayak", old_key[:12], True), ("kayak", new_key[:12], False)]


async def test_list_shows_prefixes_and_limits_never_keys(keys: PartnerKeys) -> None:
    _, first = await keys.create("skyscanner", rate_per_s=10, burst=10)
    await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.revoke("kayak")
    listed = await keys.list()
    assert [(p.name, p.revoked) for p in listed] == [("kayak", True), ("skyscanner", False)]
    assert listed[1].key_prefix == first[:12]


async def test_postgres_down_is_service_unavailable(keys: PartnerKeys) -> None:
    _, raw_key = await keys.create("kayak", rate_per_s=50, burst=100)
    async with asyncpg.create_pool(
        f"postgresql://u@127.0.0.1:{closed_port()}/db", min_size=0
    ) as down:
        with pytest.raises(ServiceUnavailable):
            await PartnerKeys(down).authenticate(raw_key)


async def test_postgres_that_never_answers_is_service_unavailable_after_the_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql://u@127.0.0.1:{silent.getsockname()[1]}/db"
        async with asyncpg.create_pool(url, min_size=0) as hanging:
            # The socket never answers: without the timeout the check would hang (and
            # pytest-timeout fail it); what it raised says the 0.2 s bound ended it.
            with pytest.raises(ServiceUnavailable) as refused:
                await PartnerKeys(hanging, timeout_s=0.2).authenticate("sk_live_" + "x" * 32)
    assert isinstance(refused.value.__cause__, TimeoutError)


async def test_keys_live_at_the_last_load_are_served_while_postgres_is_down(
    migrated: asyncpg.Pool, database_url: str, schema: str, clock: FakeClock
) -> None:
    setup = PartnerKeys(migrated, timeout_s=SETUP_TIMEOUT_S)
    _, checked = await setup.create("kayak", rate_per_s=50, burst=100)
    _, unchecked = await setup.create("skyscanner", rate_per_s=50, burst=100)
    settings = {"search_path": schema}
    async with (
        PostgresProxy(database_url) as proxy,
        asyncpg.create_pool(proxy.url, min_size=0, server_settings=settings) as through,
    ):
        keys = PartnerKeys(through, cache_ttl_s=30, clock=clock, timeout_s=SETUP_TIMEOUT_S)
        partner = await keys.authenticate(checked)
        _, later = await setup.create("momondo", rate_per_s=50, burst=100)  # after the load
        await proxy.cut()
        clock.now += 31  # the loaded keys expired: they would be asked for again
        served = await keys.authenticate(checked)
        assert (await keys.authenticate(unchecked)).name == "skyscanner"  # loaded, never asked
        with pytest.raises(ServiceUnavailable):
            await keys.authenticate(later)  # maybe real: a 503 to retry, not a 401
        with pytest.raises(ServiceUnavailable):
            await keys.authenticate(generate_key())  # the same for a made-up one
        clock.now += STALE_IF_ERROR_S  # and past the stale bound
        with pytest.raises(ServiceUnavailable):
            await keys.authenticate(checked)
        await proxy.restore()
        clock.now += 1  # a reload is due again: PostgreSQL answers for every key
        assert (await keys.authenticate(later)).name == "momondo"
    assert served == partner
