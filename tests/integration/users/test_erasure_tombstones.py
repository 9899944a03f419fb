"""An erased account stays erased for the sessions signed in before: the erasure writes a
tombstone in its own transaction, and a profile is then made only for a token signed in after
it (beyond the authenticator's clock skew). Only creation looks at tombstones."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib

import asyncpg
import pytest

from kernel.auth import CLOCK_LEEWAY_S, Principal
from kernel.errors import AccountErased
from users.model import ErasedUser
from users.service import UserService

SKEW_S = int(CLOCK_LEEWAY_S)
TRAVELER = {
    "given_name": "Charles",
    "family_name": "Babbage",
    "born_on": "1991-12-26",
    "gender": "m",
}


def ada(signed_in_at: float | None, *, issued_at: int | None = None) -> Principal:
    """Ada's token: signed in at `signed_in_at` (its `auth_time`), or undated but issued at
    `issued_at`."""
    auth_time = None if signed_in_at is None else int(signed_in_at)
    return Principal("ada", email="ada@example.com", auth_time=auth_time, issued_at=issued_at)


async def erased_at(pool: asyncpg.Pool, subject: str = "ada") -> dt.datetime | None:
    digest = hashlib.sha256(subject.encode()).digest()
    when: dt.datetime | None = await pool.fetchval(
        "SELECT erased_at FROM erased_subjects WHERE subject_digest = $1", digest
    )
    return when


async def profiles(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM users WHERE subject = 'ada'")
    return count


async def erased(service: UserService, pool: asyncpg.Pool) -> float:
    """Ada with a profile and a traveler, then erased: when (unix seconds, the database's)."""
    first = await service.me(ada(None, issued_at=1))
    await service.add_traveler(ada(None, issued_at=1), TRAVELER)
    assert first.fields.email == "ada@example.com"
    assert await service.erase("ada") == ErasedUser(profile=True, travelers=1)
    when = await erased_at(pool)
    assert when is not None
    return when.timestamp()


async def test_the_erasure_writes_a_tombstone_keyed_by_the_subjects_digest(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    await erased(service, users_pool)

    rows = await users_pool.fetch("SELECT subject_digest FROM erased_subjects")
    assert [bytes(r["subject_digest"]) for r in rows] == [hashlib.sha256(b"ada").digest()]
    assert await profiles(users_pool) == 0


@pytest.mark.parametrize("after_s", [-3600, 0, SKEW_S])  # before, at, within the skew after
async def test_a_token_signed_in_before_the_erasure_makes_no_profile(
    service: UserService, users_pool: asyncpg.Pool, after_s: int
) -> None:
    when = await erased(service, users_pool)
    earlier = ada(when + after_s)

    with pytest.raises(AccountErased) as refused:
        await service.me(earlier)
    with pytest.raises(AccountErased):
        await service.patch_me(earlier, {"language": "fr"}, None)
    with pytest.raises(AccountErased):
        await service.add_traveler(earlier, TRAVELER)

    assert "Sign in again" in refused.value.detail
    assert 'error="invalid_token"' in refused.value.challenge
    assert "sign in again" in refused.value.challenge
    assert await profiles(users_pool) == 0
    assert await service.travelers(earlier) == []


async def test_without_auth_time_the_tokens_iat_is_its_sign_in_and_without_either_it_is_refused(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    when = await erased(service, users_pool)

    with pytest.raises(AccountErased):
        await service.me(ada(None, issued_at=int(when) - 60))
    with pytest.raises(AccountErased):
        await service.me(ada(None))
    assert await profiles(users_pool) == 0
    assert (await service.me(ada(None, issued_at=int(when) + SKEW_S + 1))).version == 1


async def test_a_token_signed_in_after_the_erasure_makes_a_new_empty_profile(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    when = await erased(service, users_pool)

    again = await service.me(ada(when + SKEW_S + 1))

    assert again.version == 1
    assert again.fields.email == "ada@example.com"  # from the new sign-in's claims, as always
    assert await service.travelers(ada(when + SKEW_S + 1)) == []


async def test_an_existing_profile_is_read_whatever_the_tokens_sign_in(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    when = await erased(service, users_pool)
    made = await service.me(ada(when + SKEW_S + 1))

    # Creation alone looks at tombstones: the read of an existing profile does not.
    assert await service.me(ada(when - 3600)) == made


async def test_erasing_again_leaves_the_tombstones_time_and_a_new_profiles_erasure_moves_it(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    when = await erased(service, users_pool)
    first = await erased_at(users_pool)

    assert await service.erase("ada") == ErasedUser(profile=False, travelers=0)
    assert await erased_at(users_pool) == first  # a retry refuses no sign-in made since
    await service.me(ada(when + SKEW_S + 1))
    await service.erase("ada")
    second = await erased_at(users_pool)
    assert second is not None
    assert first is not None
    assert second > first


async def test_erasing_an_account_that_never_had_a_profile_writes_its_tombstone(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    assert await service.erase("ada") == ErasedUser(profile=False, travelers=0)

    assert await erased_at(users_pool) is not None
    with pytest.raises(AccountErased):
        await service.me(ada(None, issued_at=1))


async def test_a_first_call_racing_the_erasure_leaves_no_profile(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    for round_ in range(10):
        old = Principal(f"racer-{round_}", issued_at=1)  # signed in long before, no profile yet
        outcomes = await asyncio.gather(
            *(service.me(old) for _ in range(3)), service.erase(old.subject), return_exceptions=True
        )

        for outcome in outcomes:  # made before the erasure (and erased by it), or refused
            assert not isinstance(outcome, BaseException) or isinstance(outcome, AccountErased)
        count = "SELECT count(*) FROM users WHERE subject = $1"
        assert await users_pool.fetchval(count, old.subject) == 0
