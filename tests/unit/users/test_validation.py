"""Profile and saved-traveler documents: normalized when good, every bad field named when not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kernel.errors import ValidationFailed
from users.model import LoyaltyAccount, Preferences, ProfileFields, TravelDocument
from users.validation import parse_profile, parse_traveler

TODAY = dt.date(2026, 12, 3)


def failed_fields(parse: Any, data: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(data, today=TODAY, **kwargs)
    return {e.field: e.message for e in caught.value.errors}


def test_a_profile_is_normalized_as_the_api_writes_codes() -> None:
    fields = parse_profile(
        {
            "given_name": "  Ada  ",
            "family_name": "Lovelace",
            "email": "ada@example.com",
            "phone_number": "+442071838750",
            "home_airport": "lhr",
            "cabin_class": "business",
            "currency": "eur",
            "seat_preference": "aisle",
            "notification_channels": ["sms", "email"],
            "language": "EN-gb",
        },
        today=TODAY,
    )

    assert fields == ProfileFields(
        given_name="Ada",
        family_name="Lovelace",
        email="ada@example.com",
        phone_number="+442071838750",
        preferences=Preferences(
            home_airport="LHR",
            cabin_class="business",
            currency="EUR",
            seat_preference="aisle",
            notification_channels=("email", "sms"),
            language="en-GB",
        ),
    )


def test_an_empty_profile_is_valid_and_has_no_channel_choice() -> None:
    assert parse_profile({}, today=TODAY) == ProfileFields()
    assert parse_profile({"notification_channels": []}, today=TODAY).preferences == Preferences(
        notification_channels=()
    )


def test_every_bad_profile_field_is_named_at_once() -> None:
    errors = failed_fields(
        parse_profile,
        {
            "given_name": "Аda",  # a Cyrillic А
            "family_name": "x" * 51,
            "email": "Ada <ada@example.com>",
            "phone_number": "020 7183 8750",
            "home_airport": "XQZ",
            "cabin_class": "coach",
            "currency": "XAU",
            "seat_preference": "middle",
            "notification_channels": ["email", "pigeon", "email"],
            "language": "english!",
            "created_at": "2026-01-01T00:00:00Z",
            "nickname": "Countess",
        },
    )

    assert set(errors) == {
        "given_name",
        "family_name",
        "email",
        "phone_number",
        "home_airport",
        "cabin_class",
        "currency",
        "seat_preference",
        "notification_channels[1]",
        "notification_channels[2]",
        "language",
        "created_at",
        "nickname",
    }
    assert errors["home_airport"] == "unknown airport 'XQZ'"
    assert errors["notification_channels[2]"] == "given more than once"
    assert errors["created_at"] == "read-only: set by the service"
    assert errors["nickname"] == "unknown field"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", 7),
        ("given_name", ""),
        ("notification_channels", "email"),
        ("currency", ["EUR"]),
        ("home_airport", "ßAA"),
    ],
)
def test_a_profile_field_of_the_wrong_type_or_shape_is_named(field: str, value: Any) -> None:
    assert field in failed_fields(parse_profile, {field: value})


def traveler(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Charles",
        "family_name": "Babbage",
        "born_on": "1991-12-26",
        "gender": "m",
        "loyalty_accounts": [{"airline_iata_code": "ba", "account_number": "ab123"}],
        "document": {
            "type": "passport",
            "number": "x12 345 678",
            "issuing_country": "gb",
            "expires_on": "2030-01-01",
        },
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_traveler_is_normalized_as_passports_and_airlines_write_it() -> None:
    parsed = parse_traveler(traveler(), today=TODAY)

    assert parsed.born_on == dt.date(1991, 12, 26)
    assert parsed.loyalty_accounts == (LoyaltyAccount("BA", "AB123"),)
    assert parsed.document == TravelDocument("passport", "X12345678", "GB", dt.date(2030, 1, 1))


def test_a_traveler_needs_only_names_birth_date_and_gender() -> None:
    parsed = parse_traveler(traveler(loyalty_accounts=None, document=None), today=TODAY)

    assert (parsed.loyalty_accounts, parsed.document) == ((), None)


def test_every_bad_traveler_field_is_named_at_once() -> None:
    errors = failed_fields(
        parse_traveler,
        {
            "family_name": "Babbage\u202e",
            "born_on": "2027-01-01",
            "gender": "male",
            "loyalty_accounts": [
                {"airline_iata_code": "BA", "account_number": "1"},
                {"airline_iata_code": "ba", "account_number": "2"},
                {"airline_iata_code": "99", "account_number": "no spaces"},
                "BA123",
            ],
            "document": {"type": "visa", "number": "12", "issuing_country": "UK", "x": 1},
            "id": "trv_0",
        },
    )

    assert set(errors) == {
        "given_name",
        "family_name",
        "born_on",
        "gender",
        "loyalty_accounts[1].airline_iata_code",
        "loyalty_accounts[2].airline_iata_code",
        "loyalty_accounts[2].account_number",
        "loyalty_accounts[3]",
        "document.type",
        "document.number",
        "document.issuing_country",
        "document.expires_on",
        "document.x",
        "id",
    }
    assert errors["given_name"] == "required"
    assert errors["loyalty_accounts[1].airline_iata_code"] == "one account per airline"


def test_an_expired_document_is_refused_when_new_but_kept_when_a_patch_leaves_it() -> None:
    expired = {"type": "id_card", "number": "L01X00T47", "issuing_country": "DE"}
    expired["expires_on"] = "2026-12-02"

    errors = failed_fields(parse_traveler, traveler(document=expired))
    kept = parse_traveler(traveler(document=expired), today=TODAY, stored_document=expired)

    assert errors == {"document.expires_on": "the document has expired"}
    assert kept.document is not None
    assert kept.document.expires_on == dt.date(2026, 12, 2)


def test_a_masked_number_sent_back_is_refused_with_a_reason() -> None:
    document = traveler()["document"] | {"number": "•••••5678"}

    errors = failed_fields(parse_traveler, traveler(document=document))

    assert errors["document.number"].startswith("is masked")


@pytest.mark.parametrize("number", ["1234", "A" * 21, "X1234-567", "Х1234567", " " * 40 + "X12345"])
def test_a_document_number_is_5_to_20_ascii_letters_and_digits(number: str) -> None:
    document = traveler()["document"] | {"number": number}

    assert "document.number" in failed_fields(parse_traveler, traveler(document=document))


def test_a_patch_removing_a_field_that_does_not_exist_is_refused_too() -> None:
    patch = {"": None, "nickname": None, "updated_at": None, "currency": None}

    errors = failed_fields(parse_profile, {}, patch=patch)

    assert errors == {
        "": "unknown field",
        "nickname": "unknown field",
        "updated_at": "read-only: set by the service",
    }


def test_a_traveler_patch_removing_an_unknown_document_member_is_refused() -> None:
    patch = {"document": {"visa": None, "expires_on": "2031-01-01"}, "id": None}

    errors = failed_fields(parse_traveler, traveler(), patch=patch)

    assert errors == {"document.visa": "unknown field", "id": "read-only: set by the service"}


def test_a_traveler_missing_every_field_is_told_each_is_required() -> None:
    # A choice left out read "must be one of: m, f, x", as if something else had been sent.
    assert failed_fields(parse_traveler, {}) == {
        "given_name": "required",
        "family_name": "required",
        "born_on": "required",
        "gender": "required: one of: m, f, x",
    }
