"""Profile and saved-traveler documents → validated Structs, naming every bad field (pure).

A `POST` body and the result of a merge patch are checked alike: the patch is applied to the
stored document (`*_document`) and the whole result is validated, so a patch cannot leave a
traveler without a name, and a field the patch did not touch cannot fail unless it was bad.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from kernel.checks import MISSING, ascii_upper
from users.checks import Checks
from users.codes import COUNTRIES, is_airline_code
from users.model import (
    CABIN_CLASSES,
    CHANNELS,
    DOCUMENT_TYPES,
    GENDERS,
    SEAT_PREFERENCES,
    LoyaltyAccount,
    NewTraveler,
    Preferences,
    Profile,
    ProfileFields,
    ProfilePatch,
    SavedTraveler,
    TravelDocument,
)

MAX_LOYALTY_ACCOUNTS = 10
MAX_ACCOUNT_NUMBER = 30
DOCUMENT_NUMBER = (5, 20)  # letters and digits, after spaces are dropped
MAX_DOCUMENT_NUMBER_SENT = 40  # spaces included, as the schema says
MAX_EXPIRY_YEARS = 50
MASK = "•"
_PROFILE_FIELDS = frozenset(ProfilePatch.__struct_fields__)
_PROFILE_READ_ONLY = ("created_at", "updated_at")
_TRAVELER_FIELDS = frozenset(NewTraveler.__struct_fields__)
_TRAVELER_READ_ONLY = ("id", "created_at", "updated_at")
_ACCOUNT_FIELDS = frozenset(LoyaltyAccount.__struct_fields__)
_DOCUMENT_FIELDS = frozenset(TravelDocument.__struct_fields__)


def profile_document(profile: Profile | None) -> dict[str, Any]:
    """The fields a merge patch applies to, as JSON values; unset fields are absent."""
    if profile is None:
        return {}
    fields = profile.fields
    flat = {**_json_value(fields), **_json_value(fields.preferences)}
    flat.pop("preferences")
    return {name: value for name, value in flat.items() if value is not None}


def _json_value(value: object) -> Any:
    """`value` as JSON would give it back (arrays as lists, dates as strings): what a merge
    patch is applied to and what the client's own values are compared with."""
    return msgspec.json.decode(msgspec.json.encode(value))


def parse_profile(
    data: dict[str, Any],
    *,
    today: dt.date,
    patch: dict[str, Any] | None = None,
    stored_currency: str | None = None,
) -> ProfileFields:
    """A whole profile document → `ProfileFields`; `ValidationFailed` names every bad field
    (of the `patch` it came from, too: see `_removed_unknowns`).

    `currency` must be one offers are priced in, unless it is `stored_currency`, the one the
    stored profile holds (from before that rule), left as it was.
    """
    checks = Checks(today)
    checks.fields(data, _PROFILE_FIELDS, _PROFILE_READ_ONLY)
    _removed_unknowns(checks, patch, _PROFILE_FIELDS, _PROFILE_READ_ONLY)
    get, c = data.get, checks

    def optional(name: str, check: Any, *args: Any) -> Any:
        value = get(name)
        return None if value is None else check(value, name, *args)

    fields = ProfileFields(
        given_name=optional("given_name", c.name),
        family_name=optional("family_name", c.name),
        email=optional("email", c.email),
        phone_number=optional("phone_number", c.phone),
        preferences=Preferences(
            home_airport=optional("home_airport", c.airport),
            cabin_class=optional("cabin_class", c.choice, CABIN_CLASSES),
            currency=optional("currency", c.currency, stored_currency),
            seat_preference=optional("seat_preference", c.choice, SEAT_PREFERENCES),
            notification_channels=_channels(checks, get("notification_channels")),
            language=optional("language", c.language),
        ),
    )
    checks.raise_if_failed()
    return fields


def _removed_unknowns(
    checks: Checks,
    patch: dict[str, Any] | None,
    known: frozenset[str],
    read_only: tuple[str, ...],
    at: str = "",
) -> None:
    """A patch's `null` for a member that is not a field removes nothing, so the merged
    document cannot show it: named here (the others are named in the merged document)."""
    if patch is not None:
        checks.fields({k: v for k, v in patch.items() if v is None}, known, read_only, at)


def _channels(checks: Checks, value: Any) -> Any:
    field = "notification_channels"
    if value is None:
        return None
    if type(value) is not list:
        checks.fail(field, f"must be an array of: {', '.join(CHANNELS)}")
        return None
    seen: set[str] = set()
    for i, item in enumerate(value):
        if checks.choice(item, f"{field}[{i}]", CHANNELS) is None:
            continue
        if item in seen:
            checks.fail(f"{field}[{i}]", "given more than once")
        seen.add(item)
    return tuple(c for c in CHANNELS if c in seen)  # one order, whatever the client's


def traveler_document(traveler: SavedTraveler) -> dict[str, Any]:
    """A stored traveler as the JSON document a merge patch applies to (number in clear)."""
    doc: dict[str, Any] = _json_value(traveler)
    for name in _TRAVELER_READ_ONLY:
        doc.pop(name)
    if doc["document"] is None:
        doc.pop("document")
    return doc


def parse_traveler(
    data: dict[str, Any],
    *,
    today: dt.date,
    stored_document: Any = MISSING,
    patch: dict[str, Any] | None = None,
) -> NewTraveler:
    """A whole traveler document → `NewTraveler`; `ValidationFailed` names every bad field.

    A document that expired is refused when it is new or changed, not when a patch leaves the
    stored one as it was (`stored_document`: the stored document's JSON), so renaming a traveler
    does not require a new passport first.
    """
    checks = Checks(today)
    checks.fields(data, _TRAVELER_FIELDS, _TRAVELER_READ_ONLY)
    _removed_unknowns(checks, patch, _TRAVELER_FIELDS, _TRAVELER_READ_ONLY)
    if patch is not None and type(patch.get("document")) is dict:
        _removed_unknowns(checks, patch["document"], _DOCUMENT_FIELDS, (), "document.")
    get = data.get
    document_value = get("document")
    unchanged = stored_document is not MISSING and document_value == stored_document
    traveler = NewTraveler(
        given_name=checks.name(get("given_name", MISSING), "given_name") or "",
        family_name=checks.name(get("family_name", MISSING), "family_name") or "",
        born_on=checks.birth_date(get("born_on", MISSING), "born_on") or today,
        gender=checks.choice(get("gender", MISSING), "gender", GENDERS) or "x",
        loyalty_accounts=_loyalty_accounts(checks, get("loyalty_accounts")),
        document=_document(checks, document_value, check_expiry=not unchanged),
    )
    checks.raise_if_failed()
    return traveler


def _loyalty_accounts(checks: Checks, value: Any) -> tuple[LoyaltyAccount, ...]:
    field = "loyalty_accounts"
    if value is None:
        return ()
    if type(value) is not list or len(value) > MAX_LOYALTY_ACCOUNTS:
        checks.fail(field, f"must be an array of at most {MAX_LOYALTY_ACCOUNTS} accounts")
        return ()
    accounts: list[LoyaltyAccount] = []
    for i, item in enumerate(value):
        at = f"{field}[{i}]"
        if type(item) is not dict:
            checks.fail(at, "must be an object")
            continue
        checks.fields(item, _ACCOUNT_FIELDS, (), at + ".")
        airline = _airline(checks, item.get("airline_iata_code", MISSING), at)
        number = _account_number(checks, item.get("account_number", MISSING), at)
        if airline in {a.airline_iata_code for a in accounts}:
            checks.fail(f"{at}.airline_iata_code", "one account per airline")
        elif airline is not None and number is not None:
            accounts.append(LoyaltyAccount(airline, number))
    return tuple(accounts)


def _airline(checks: Checks, value: Any, at: str) -> str | None:
    raw = checks.string(value, f"{at}.airline_iata_code")
    code = None if raw is None else ascii_upper(raw)
    if code is not None and not is_airline_code(code):
        checks.fail(f"{at}.airline_iata_code", "must be a 2-character IATA airline code")
        return None
    return code


def _account_number(checks: Checks, value: Any, at: str) -> str | None:
    raw = checks.string(value, f"{at}.account_number")
    if raw is None:
        return None
    if not 1 <= len(raw) <= MAX_ACCOUNT_NUMBER or not (raw.isascii() and raw.isalnum()):
        checks.fail(f"{at}.account_number", f"1 to {MAX_ACCOUNT_NUMBER} letters and digits")
        return None
    return raw.upper()


def _document(checks: Checks, value: Any, *, check_expiry: bool) -> TravelDocument | None:
    if value is None:
        return None
    if type(value) is not dict:
        checks.fail("document", "must be an object")
        return None
    checks.fields(value, _DOCUMENT_FIELDS, (), "document.")
    before = len(checks.errors)
    kind = checks.choice(value.get("type", MISSING), "document.type", DOCUMENT_TYPES)
    number = _document_number(checks, value.get("number", MISSING))
    country = checks.code(
        value.get("issuing_country", MISSING),
        "document.issuing_country",
        COUNTRIES,
        "an ISO 3166-1 alpha-2 country code",
    )
    expires_on = checks.date(value.get("expires_on", MISSING), "document.expires_on")
    if expires_on is not None:
        last = checks.today.replace(year=checks.today.year + MAX_EXPIRY_YEARS, day=1)
        if check_expiry and expires_on < checks.today:
            checks.fail("document.expires_on", "the document has expired")
        elif expires_on > last:
            checks.fail("document.expires_on", f"more than {MAX_EXPIRY_YEARS} years ahead")
    if len(checks.errors) > before:
        return None
    assert number is not None
    assert country is not None
    assert expires_on is not None
    return TravelDocument(kind, number, country, expires_on)


def _document_number(checks: Checks, value: Any) -> str | None:
    field = "document.number"
    raw = checks.string(value, field)
    if raw is None:
        return None
    if MASK in raw:
        checks.fail(field, "is masked: send the whole number, or leave it out of a patch")
        return None
    number = ascii_upper("".join(raw.split()))
    low, high = DOCUMENT_NUMBER
    too_long = len(raw) > MAX_DOCUMENT_NUMBER_SENT
    if too_long or not low <= len(number) <= high or not number.isalnum():
        checks.fail(field, f"{low} to {high} letters and digits, as printed")
        return None
    return number
