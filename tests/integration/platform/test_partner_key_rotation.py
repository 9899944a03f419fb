"""Rotating a partner's key without an outage: the new key works at once, the old one keeps
working for the overlap the operator gave (time for the partner to deploy the new one), and a
revocation ends both at once (a leaked key is revoked, not rotated)."""

from __future__ import annotations

import asyncpg
import pytest

from kernel.errors import Conflict, NotFound, Unauthorized
from skyfare.migrations import migrate
from skyfare.partners import PartnerKeys
from tests.support.database import SETUP_TIMEOUT_S


@pytest.fixture
async def migrated(pool: asyncpg.Pool) -> asyncpg.Pool:
    await migrate(pool, timeout=10)
    return pool


def _fresh(pool: asyncpg.Pool) -> PartnerKeys:
    """A process that has loaded nothing yet: it answers from the table as it is now."""
    return PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S)


async def test_a_rotated_key_and_the_key_it_replaces_both_work_during_the_overlap(
    migrated: asyncpg.Pool,
) -> None:
    keys = _fresh(migrated)
    created, old_key = await keys.create("kayak", rate_per_s=50, burst=100)

    rotated, new_key = await keys.rotate("kayak", overlap_s=3600)

    assert new_key != old_key
    assert (rotated.name, rotated.rate_per_s, rotated.burst) == ("kayak", 50, 100)
    assert (await _fresh(migrated).authenticate(new_key)).id == rotated.id
    assert (await _fresh(migrated).authenticate(old_key)).id == created.id
    [old, new] = await keys.list()
    assert (old.key_prefix, old.revoked, old.retires_at is not None) == (old_key[:12], False, True)
    assert (new.key_prefix, new.revoked, new.retires_at) == (new_key[:12], False, None)


async def test_the_replaced_key_stops_working_once_its_overlap_is_over(
    migrated: asyncpg.Pool,
) -> None:
    keys = _fresh(migrated)
    _, old_key = await keys.create("kayak", rate_per_s=50, burst=100)

    _, new_key = await keys.rotate("kayak", overlap_s=0)

    with pytest.raises(Unauthorized):
        await _fresh(migrated).authenticate(old_key)
    await _fresh(migrated).authenticate(new_key)
    assert [p.revoked for p in await keys.list()] == [True, False]


async def test_revoking_a_partner_ends_its_retiring_key_too(migrated: asyncpg.Pool) -> None:
    keys = _fresh(migrated)
    _, old_key = await keys.create("kayak", rate_per_s=50, burst=100)
    _, new_key = await keys.rotate("kayak", overlap_s=3600)

    assert await keys.revoke("kayak")

    for key in (old_key, new_key):
        with pytest.raises(Unauthorized):
            await _fresh(migrated).authenticate(key)
    assert not await keys.revoke("kayak")


async def test_rotating_twice_keeps_each_replaced_key_for_its_own_overlap(
    migrated: asyncpg.Pool,
) -> None:
    keys = _fresh(migrated)
    _, first = await keys.create("kayak", rate_per_s=50, burst=100)
    _, second = await keys.rotate("kayak", overlap_s=3600)
    _, third = await keys.rotate("kayak", overlap_s=3600)

    for key in (first, second, third):
        await _fresh(migrated).authenticate(key)
    with pytest.raises(Conflict):  # one current key per name: rotate, do not create, to add one
        await keys.create("kayak", rate_per_s=50, burst=100)


async def test_rotating_a_partner_without_a_live_key_is_refused(migrated: asyncpg.Pool) -> None:
    keys = _fresh(migrated)
    with pytest.raises(NotFound):
        await keys.rotate("nobody", overlap_s=60)
    await keys.create("kayak", rate_per_s=50, burst=100)
    await keys.revoke("kayak")
    with pytest.raises(NotFound):
        await keys.rotate("kayak", overlap_s=60)
