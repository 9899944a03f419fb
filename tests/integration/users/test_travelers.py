"""Saved travelers on real PostgreSQL: sealed at rest, each user's own, capped race-free, and
the service's contract methods (saved_traveler, export, erase) for the other packages."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg
import pytest

from kernel.auth import Principal
from kernel.errors import LimitReached, NotFound, PreconditionFailed
from users.errors import DocumentUnreadable
from users.model import ErasedUser, TravelDocument
from users.service import UserService, traveler_etag

ADA = Principal("ada", email="ada@example.com")
BOB = Principal("bob")
NUMBER = "X12345678"


def companion(given_name: str = "Charles", **changes: Any) -> dict[str, Any]:
    return {
        "given_name": given_name,
        "family_name": "Babbage",
        "born_on": "1991-12-26",
        "gender": "m",
        "document": {
            "type": "passport",
            "number": NUMBER,
            "issuing_country": "GB",
            "expires_on": "2030-01-01",
        },
        **changes,
    }


async def test_the_document_number_is_sealed_in_the_database_and_opens_for_its_owner(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    stored = await service.add_traveler(ADA, companion())

    row = await users_pool.fetchrow(
        "SELECT * FROM saved_travelers WHERE id = $1", stored.traveler.id
    )
    assert row is not None
    assert NUMBER not in row["document_number"]
    assert NUMBER not in str(dict(row))
    assert row["document_number"].startswith(service_key_id(service) + ".")
    assert stored.traveler.document == TravelDocument("passport", NUMBER, "GB", dt.date(2030, 1, 1))
    assert (await service.traveler(ADA, stored.traveler.id)) == stored


def service_key_id(service: UserService) -> str:
    cipher = service._repository._cipher  # type: ignore[attr-defined]
    key_id: str = cipher.sealing_key_id
    return key_id


async def test_a_sealed_number_copied_onto_another_row_does_not_open(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    first = (await service.add_traveler(ADA, companion("Charles"))).traveler.id
    second = (await service.add_traveler(ADA, companion("Ada"))).traveler.id
    await users_pool.execute(
        "UPDATE saved_travelers SET document_number = "
        "(SELECT document_number FROM saved_travelers WHERE id = $1) WHERE id = $2",
        first,
        second,
    )

    with pytest.raises(DocumentUnreadable, match=second):
        await service.traveler(ADA, second)
    assert (await service.traveler(ADA, first)).traveler.document is not None


async def test_another_users_traveler_is_not_found_and_left_alone(service: UserService) -> None:
    stored = await service.add_traveler(ADA, companion())
    traveler_id = stored.traveler.id

    with pytest.raises(NotFound):
        await service.traveler(BOB, traveler_id)
    with pytest.raises(NotFound):
        await service.patch_traveler(BOB, traveler_id, {"given_name": "Eve"}, None)
    with pytest.raises(NotFound):
        await service.delete_traveler(BOB, traveler_id, None)

    assert await service.travelers(BOB) == []
    assert await service.saved_traveler("bob", traveler_id) is None
    assert await service.traveler(ADA, traveler_id) == stored


async def test_a_patch_changes_one_document_member_and_keeps_the_number(
    service: UserService,
) -> None:
    stored = await service.add_traveler(ADA, companion())

    patched = await service.patch_traveler(
        ADA,
        stored.traveler.id,
        {
            "document": {"expires_on": "2031-06-30"},
            "loyalty_accounts": [{"airline_iata_code": "VS", "account_number": "00123"}],
        },
        traveler_etag(stored),
    )

    assert patched.version == stored.version + 1
    assert patched.traveler.document == TravelDocument(
        "passport", NUMBER, "GB", dt.date(2031, 6, 30)
    )
    assert patched.traveler.loyalty_accounts[0].airline_iata_code == "VS"
    with pytest.raises(PreconditionFailed):
        await service.patch_traveler(
            ADA, stored.traveler.id, {"gender": "x"}, traveler_etag(stored)
        )
    with pytest.raises(PreconditionFailed):
        await service.delete_traveler(ADA, stored.traveler.id, traveler_etag(stored))


async def test_document_null_removes_the_document(service: UserService) -> None:
    stored = await service.add_traveler(ADA, companion())

    patched = await service.patch_traveler(ADA, stored.traveler.id, {"document": None}, None)

    assert patched.traveler.document is None


async def test_adds_racing_past_the_cap_leave_exactly_the_cap(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    results = await asyncio.gather(
        *(service.add_traveler(ADA, companion()) for _ in range(8)), return_exceptions=True
    )

    added = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, LimitReached)]
    assert (len(added), len(refused)) == (3, 5)  # the service's cap in this suite is 3
    assert refused[0].extensions == {"limit": "saved_travelers", "maximum": 3, "current": 3}
    assert await users_pool.fetchval("SELECT count(*) FROM saved_travelers") == 3


async def test_a_deleted_traveler_frees_its_place(service: UserService) -> None:
    ids = [(await service.add_traveler(ADA, companion())).traveler.id for _ in range(3)]

    await service.delete_traveler(ADA, ids[0], None)

    await service.add_traveler(ADA, companion())
    with pytest.raises(NotFound):
        await service.traveler(ADA, ids[0])
    with pytest.raises(NotFound):
        await service.delete_traveler(ADA, ids[0], None)


async def test_saved_traveler_answers_the_owner_in_clear_and_none_otherwise(
    service: UserService,
) -> None:
    stored = await service.add_traveler(ADA, companion())

    found = await service.saved_traveler("ada", stored.traveler.id)

    assert found == stored.traveler
    assert found is not None
    assert found.document is not None
    assert found.document.number == NUMBER
    assert await service.saved_traveler("ada", "trv_" + "0" * 24) is None
    assert await service.saved_traveler("ada", "not-an-id") is None


async def test_export_holds_the_profile_and_travelers_in_clear(service: UserService) -> None:
    assert (await service.export("ada")).profile is None

    await service.patch_me(ADA, {"home_airport": "LHR"}, None)
    stored = await service.add_traveler(ADA, companion())

    export = await service.export("ada")

    assert export.profile is not None
    assert (export.profile.email, export.profile.home_airport) == ("ada@example.com", "LHR")
    assert export.travelers == (stored.traveler,)


async def test_erase_deletes_the_profile_and_travelers_and_is_idempotent(
    service: UserService, users_pool: asyncpg.Pool
) -> None:
    await service.add_traveler(ADA, companion())
    await service.add_traveler(ADA, companion())
    await service.add_traveler(BOB, companion())

    first = await service.erase("ada")
    again = await service.erase("ada")

    assert first == ErasedUser(profile=True, travelers=2)
    assert again == ErasedUser(profile=False, travelers=0)
    assert await service.export("ada") == (await service.export("nobody"))
    assert await users_pool.fetchval("SELECT count(*) FROM saved_travelers") == 1
    assert await service.notification_channels("ada") is None
