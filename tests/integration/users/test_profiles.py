"""Profiles on real PostgreSQL: created once however many first calls race, versioned, patched
without losing another writer's change, and their contract methods for the other packages."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
import pytest

from kernel.auth import Principal
from kernel.errors import PreconditionFailed, ValidationFailed
from users.model import Profile, ProfileFields, ProfileView
from users.repository import PgUserRepository
from users.service import UserService, profile_etag

ADA = Principal("ada", email="ada@example.com", given_name="Ada", family_name="Lovelace")


async def test_the_first_call_creates_the_profile_from_the_token_claims(
    service: UserService,
) -> None:
    profile = await service.me(ADA)

    assert profile.subject == "ada"
    assert (profile.fields.email, profile.fields.given_name) == ("ada@example.com", "Ada")
    assert profile.fields.family_name == "Lovelace"
    assert profile.version == 1
    assert await service.me(ADA) == profile


async def test_claims_a_profile_may_not_hold_are_left_out(service: UserService) -> None:
    odd = Principal("odd", email="Ada <ada@example.com>", given_name="Аda", family_name="Byron")

    fields = (await service.me(odd)).fields

    assert (fields.email, fields.given_name, fields.family_name) == (None, None, "Byron")


async def test_fifty_first_calls_at_once_create_one_profile(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    profiles = await asyncio.gather(*(service.me(ADA) for _ in range(50)))

    assert len({p.id for p in profiles}) == 1
    assert await users_pool.fetchval("SELECT count(*) FROM users WHERE subject = 'ada'") == 1


async def test_a_change_that_raises_under_the_lock_writes_nothing(
    service: UserService, repository: PgUserRepository
) -> None:
    before = await service.me(ADA)

    def change(profile: Profile) -> ProfileFields:
        raise PreconditionFailed("no")

    with pytest.raises(PreconditionFailed):
        await repository.change_profile("ada", change)

    assert await service.me(ADA) == before
    assert await repository.change_profile("nobody", lambda p: None) is None


async def test_a_patch_merges_and_bumps_the_version_and_etag(service: UserService) -> None:
    before = await service.me(ADA)

    after = await service.patch_me(
        ADA, {"home_airport": "lhr", "given_name": None, "notification_channels": ["sms"]}, None
    )

    assert after.version == before.version + 1
    assert profile_etag(after) != profile_etag(before)
    assert after.fields.given_name is None
    assert after.fields.family_name == "Lovelace"
    assert after.fields.preferences.home_airport == "LHR"
    assert after.fields.preferences.notification_channels == ("sms",)


async def test_a_patch_that_changes_nothing_keeps_the_version(service: UserService) -> None:
    before = await service.patch_me(ADA, {"currency": "EUR"}, None)

    after = await service.patch_me(ADA, {"currency": "eur", "given_name": "Ada"}, None)

    assert after == before


async def test_a_patch_with_an_old_etag_is_refused_and_writes_nothing(
    service: UserService,
) -> None:
    first = await service.me(ADA)
    await service.patch_me(ADA, {"language": "en"}, profile_etag(first))

    with pytest.raises(PreconditionFailed):
        await service.patch_me(ADA, {"language": "fr"}, profile_etag(first))

    assert (await service.me(ADA)).fields.preferences.language == "en"


async def test_an_invalid_patch_writes_nothing(service: UserService) -> None:
    before = await service.me(ADA)

    with pytest.raises(ValidationFailed):
        await service.patch_me(ADA, {"language": "en", "home_airport": "XQZ"}, None)

    assert await service.me(ADA) == before


async def test_concurrent_patches_without_if_match_lose_no_field(service: UserService) -> None:
    await service.me(ADA)
    patches = [
        {"given_name": "Augusta"},
        {"home_airport": "JFK"},
        {"currency": "GBP"},
        {"language": "en-GB"},
        {"seat_preference": "window"},
        {"cabin_class": "first"},
    ]

    await asyncio.gather(*(service.patch_me(ADA, patch, None) for patch in patches))

    final = await service.me(ADA)
    prefs = final.fields.preferences
    assert final.fields.given_name == "Augusta"
    assert (prefs.home_airport, prefs.currency, prefs.language) == ("JFK", "GBP", "en-GB")
    assert (prefs.seat_preference, prefs.cabin_class) == ("window", "first")
    assert final.version == 1 + len(patches)


async def test_concurrent_patches_with_the_same_etag_let_exactly_one_win(
    service: UserService,
) -> None:
    tag = profile_etag(await service.me(ADA))
    languages = ["en", "fr", "de", "es", "it"]

    results = await asyncio.gather(
        *(service.patch_me(ADA, {"language": lang}, tag) for lang in languages),
        return_exceptions=True,
    )

    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, PreconditionFailed) for r in results if r not in winners)
    assert (await service.me(ADA)).fields.preferences.language == winners[
        0
    ].fields.preferences.language


async def test_notification_channels_are_none_without_a_profile_then_the_choice(
    service: UserService,
) -> None:
    assert await service.notification_channels("ada") is None

    await service.me(ADA)
    assert await service.notification_channels("ada") == frozenset({"email", "sms"})

    await service.patch_me(ADA, {"notification_channels": ["email"]}, None)
    assert await service.notification_channels("ada") == frozenset({"email"})

    await service.patch_me(ADA, {"notification_channels": []}, None)
    assert await service.notification_channels("ada") == frozenset()

    await service.patch_me(ADA, {"notification_channels": None}, None)
    assert await service.notification_channels("ada") == frozenset({"email", "sms"})


async def test_a_currency_stored_before_only_priced_ones_were_taken_still_reads_and_is_kept(
    service: UserService, repository: PgUserRepository
) -> None:
    await service.me(ADA)
    # What an earlier version took: any ISO 4217 code, written as the repository stores it.
    await repository.change_profile(
        "ada",
        lambda p: msgspec.structs.replace(
            p.fields, preferences=msgspec.structs.replace(p.fields.preferences, currency="JPY")
        ),
    )

    renamed = await service.patch_me(ADA, {"given_name": "Augusta"}, None)
    with pytest.raises(ValidationFailed) as refused:
        await service.patch_me(ADA, {"currency": "CHF"}, None)

    assert ProfileView.of(await service.me(ADA)).currency == "JPY"
    assert (renamed.fields.given_name, renamed.fields.preferences.currency) == ("Augusta", "JPY")
    assert [e.field for e in refused.value.errors] == ["currency"]
