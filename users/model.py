"""Profiles, saved travelers and the public views of them (docs/api.md "Users").

`Profile` and `SavedTraveler` are what the service knows (a traveler's document number in
clear); `ProfileView` and `TravelerView` are what a client is shown (the number masked unless
it asked for it). The patch and create Structs are the request schemas of the OpenAPI document;
the bodies themselves are checked field by field (users/validation.py) to name every bad field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

import msgspec

from kernel.currencies import PricedCurrency

CabinClass = Literal["economy", "premium_economy", "business", "first"]
SeatPreference = Literal["window", "aisle", "none"]
Channel = Literal["email", "sms"]
Gender = Literal["m", "f", "x"]
DocumentType = Literal["passport", "id_card"]

CABIN_CLASSES: tuple[CabinClass, ...] = ("economy", "premium_economy", "business", "first")
SEAT_PREFERENCES: tuple[SeatPreference, ...] = ("window", "aisle", "none")
CHANNELS: tuple[Channel, ...] = ("email", "sms")
GENDERS: tuple[Gender, ...] = ("m", "f", "x")
DOCUMENT_TYPES: tuple[DocumentType, ...] = ("passport", "id_card")
# Without a profile, or with the field removed, notifications go by both.
DEFAULT_CHANNELS: tuple[Channel, ...] = CHANNELS

TRAVELER_ID_PREFIX = "trv_"
_TRAVELER_ID = re.compile(r"trv_[0-9a-f]{24}")
TRAVELER_ID_SCHEMA = {"type": "string", "pattern": "^trv_[0-9a-f]{24}$"}


def is_traveler_id(value: str) -> bool:
    """Whether `value` could name a saved traveler: anything else is a 404 without a query."""
    return _TRAVELER_ID.fullmatch(value) is not None


# What the documents say of each field; users/validation.py enforces it.
_NAME = msgspec.Meta(extra_json_schema={"minLength": 1, "maxLength": 50})
_EMAIL = msgspec.Meta(extra_json_schema={"format": "email", "maxLength": 254})
_PHONE = msgspec.Meta(extra_json_schema={"pattern": r"^\+[1-9][0-9]{7,14}$"})
_AIRPORT = msgspec.Meta(
    extra_json_schema={"format": "iata-airport", "minLength": 3, "maxLength": 3}
)
_CURRENCY = msgspec.Meta(
    description="ISO 4217: one offers are priced in, or one stored before only those were taken",
    extra_json_schema={"pattern": "^[A-Za-z]{3}$"},
)
_NEW_CURRENCY = msgspec.Meta(
    description="One of the currencies offers are priced in (kept if the profile holds another)"
)
_LANGUAGE = msgspec.Meta(
    description="A BCP 47 language tag, e.g. en, en-GB, pt-BR, zh-Hant-TW",
    extra_json_schema={"minLength": 2, "maxLength": 64},
)
_CHANNELS = msgspec.Meta(extra_json_schema={"uniqueItems": True, "maxItems": 2})
_AIRLINE = msgspec.Meta(extra_json_schema={"pattern": "^[A-Za-z0-9]{2}$"})
_ACCOUNT = msgspec.Meta(extra_json_schema={"pattern": "^[A-Za-z0-9]{1,30}$"})
_COUNTRY = msgspec.Meta(
    description="ISO 3166-1 alpha-2", extra_json_schema={"pattern": "^[A-Za-z]{2}$"}
)
_NUMBER = msgspec.Meta(
    description="5 to 20 letters and digits, as printed (spaces and case are not kept)",
    extra_json_schema={"minLength": 5, "maxLength": 40},
)
_LOYALTY = msgspec.Meta(extra_json_schema={"maxItems": 10})


class Preferences(msgspec.Struct, frozen=True, omit_defaults=True):
    """The JSONB document beside a profile's columns: whatever is unset is absent."""

    home_airport: str | None = None
    cabin_class: CabinClass | None = None
    currency: str | None = None
    seat_preference: SeatPreference | None = None
    notification_channels: tuple[Channel, ...] | None = None
    language: str | None = None


class ProfileFields(msgspec.Struct, frozen=True, kw_only=True):
    """A profile's every field a traveler may change, validated."""

    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    preferences: Preferences = Preferences()


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """A profile as stored: `version` counts its changes (the ETag)."""

    id: int
    subject: str
    fields: ProfileFields
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProfileView(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /v1/me`: every field, `null` when unset; `notification_channels` is always a list
    (both channels unless the traveler chose otherwise)."""

    given_name: Annotated[str, _NAME] | None
    family_name: Annotated[str, _NAME] | None
    email: Annotated[str, _EMAIL] | None
    phone_number: Annotated[str, _PHONE] | None
    home_airport: Annotated[str, _AIRPORT] | None
    cabin_class: CabinClass | None
    currency: Annotated[str, _CURRENCY] | None
    seat_preference: SeatPreference | None
    notification_channels: Annotated[tuple[Channel, ...], _CHANNELS]
    language: Annotated[str, _LANGUAGE] | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, profile: Profile) -> ProfileView:
        f, p = profile.fields, profile.fields.preferences
        channels = p.notification_channels
        return cls(
            given_name=f.given_name,
            family_name=f.family_name,
            email=f.email,
            phone_number=f.phone_number,
            home_airport=p.home_airport,
            cabin_class=p.cabin_class,
            currency=p.currency,
            seat_preference=p.seat_preference,
            notification_channels=DEFAULT_CHANNELS if channels is None else channels,
            language=p.language,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
        )


class ProfilePatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`PATCH /v1/me` (application/merge-patch+json): the fields to change; `null` removes one
    (`notification_channels: null` goes back to both channels)."""

    given_name: Annotated[str, _NAME] | None = None
    family_name: Annotated[str, _NAME] | None = None
    email: Annotated[str, _EMAIL] | None = None
    phone_number: Annotated[str, _PHONE] | None = None
    home_airport: Annotated[str, _AIRPORT] | None = None
    cabin_class: CabinClass | None = None
    currency: Annotated[PricedCurrency, _NEW_CURRENCY] | None = None
    seat_preference: SeatPreference | None = None
    notification_channels: Annotated[tuple[Channel, ...], _CHANNELS] | None = None
    language: Annotated[str, _LANGUAGE] | None = None


class LoyaltyAccount(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    airline_iata_code: Annotated[str, _AIRLINE]
    account_number: Annotated[str, _ACCOUNT]


class TravelDocument(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    type: DocumentType
    number: Annotated[str, _NUMBER]
    issuing_country: Annotated[str, _COUNTRY]
    expires_on: dt.date


class SavedTraveler(msgspec.Struct, frozen=True, kw_only=True):
    """A saved traveler of one user, its document number decrypted (the other helpers' type)."""

    id: str
    given_name: str
    family_name: str
    born_on: dt.date
    gender: Gender
    loyalty_accounts: tuple[LoyaltyAccount, ...]
    document: TravelDocument | None
    created_at: dt.datetime
    updated_at: dt.datetime


class StoredTraveler(msgspec.Struct, frozen=True):
    """A saved traveler and its version (the ETag)."""

    traveler: SavedTraveler
    version: int


class DocumentView(msgspec.Struct, frozen=True):
    type: DocumentType
    number: Annotated[
        str,
        msgspec.Meta(description="Masked (`•••••1234`) unless the request asked ?reveal=document"),
    ]
    issuing_country: Annotated[str, _COUNTRY]
    expires_on: dt.date


class TravelerView(msgspec.Struct, frozen=True, kw_only=True):
    id: Annotated[str, msgspec.Meta(extra_json_schema={"pattern": "^trv_[0-9a-f]{24}$"})]
    given_name: Annotated[str, _NAME]
    family_name: Annotated[str, _NAME]
    born_on: dt.date
    gender: Gender
    loyalty_accounts: tuple[LoyaltyAccount, ...]
    document: DocumentView | None
    created_at: dt.datetime
    updated_at: dt.datetime


def mask(number: str) -> str:
    """`•••••1234`: at most the last 4 characters, and never more than half of them."""
    shown = min(4, len(number) // 2)
    return "•" * 5 + (number[-shown:] if shown else "")


def traveler_view(stored: StoredTraveler, *, reveal: bool = False) -> TravelerView:
    """What the owner is shown: the document number masked unless `reveal`."""
    t, doc = stored.traveler, stored.traveler.document
    document = None
    if doc is not None:
        number = doc.number if reveal else mask(doc.number)
        document = DocumentView(doc.type, number, doc.issuing_country, doc.expires_on)
    return TravelerView(
        id=t.id,
        given_name=t.given_name,
        family_name=t.family_name,
        born_on=t.born_on,
        gender=t.gender,
        loyalty_accounts=t.loyalty_accounts,
        document=document,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


class TravelerList(msgspec.Struct, frozen=True):
    """The caller's saved travelers, oldest first (at most the configured cap: no pages)."""

    data: tuple[TravelerView, ...]


class NewTraveler(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/me/travelers`: a companion as their passport names them."""

    given_name: Annotated[str, _NAME]
    family_name: Annotated[str, _NAME]
    born_on: dt.date
    gender: Gender
    loyalty_accounts: Annotated[tuple[LoyaltyAccount, ...], _LOYALTY] = ()
    document: TravelDocument | None = None


class DocumentPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    type: DocumentType | None = None
    number: Annotated[str, _NUMBER] | None = None
    issuing_country: Annotated[str, _COUNTRY] | None = None
    expires_on: dt.date | None = None


class TravelerPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`PATCH /v1/me/travelers/{id}` (application/merge-patch+json): `document: null` removes
    the document; a member of `document` alone changes just that member."""

    given_name: Annotated[str, _NAME] | None = None
    family_name: Annotated[str, _NAME] | None = None
    born_on: dt.date | None = None
    gender: Gender | None = None
    loyalty_accounts: Annotated[tuple[LoyaltyAccount, ...], _LOYALTY] | None = None
    document: DocumentPatch | None = None


class UserExport(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the user service holds about one subject, documents in clear."""

    profile: ProfileView | None
    travelers: tuple[SavedTraveler, ...]


class ErasedUser(msgspec.Struct, frozen=True, kw_only=True):
    """What `erase` deleted: the profile (or there was none) and how many saved travelers."""

    profile: bool
    travelers: int
