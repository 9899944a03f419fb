"""A profile's currency is one the search can price in, so the search form can start from it;
one stored before that rule stays readable and is kept by patches that leave it be."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from kernel.errors import ValidationFailed
from search.model import CURRENCIES, SearchRequest
from users.model import ProfilePatch
from users.validation import parse_profile

TODAY = dt.date(2026, 12, 3)


def currency_error(data: dict[str, object], stored_currency: str | None = None) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_profile(data, today=TODAY, stored_currency=stored_currency)
    return {e.field: e.message for e in caught.value.errors}["currency"]


@pytest.mark.parametrize("code", ["gbp", "EUR", "Usd"])
def test_a_currency_the_search_prices_in_is_taken_in_any_case(code: str) -> None:
    fields = parse_profile({"currency": code}, today=TODAY)

    assert fields.preferences.currency == code.upper()


def test_a_currency_the_search_cannot_price_is_refused_naming_the_ones_it_can() -> None:
    message = currency_error({"currency": "jpy", "given_name": "Ada"})

    assert message == "prices are shown in EUR, GBP, USD only"
    assert all(code in message for code in CURRENCIES)


def test_a_code_that_is_not_iso_4217_is_still_named_as_such() -> None:
    assert currency_error({"currency": "XAU"}) == "must be an ISO 4217 currency code"


def test_the_currency_a_profile_already_holds_is_kept_though_search_cannot_price_it() -> None:
    fields = parse_profile(
        {"currency": "JPY", "language": "ja"}, today=TODAY, stored_currency="JPY"
    )

    assert fields.preferences.currency == "JPY"


def test_changing_from_a_kept_currency_to_another_unpriced_one_is_refused() -> None:
    message = currency_error({"currency": "CHF"}, stored_currency="JPY")

    assert message == "prices are shown in EUR, GBP, USD only"


@pytest.mark.parametrize("request_type", [SearchRequest, ProfilePatch])
def test_the_search_and_profile_schemas_name_the_currencies_their_checks_take(
    request_type: type,
) -> None:
    schema = msgspec.json.schema(request_type)["$defs"][request_type.__name__]
    currency = schema["properties"]["currency"]
    choices = currency.get("enum") or currency["anyOf"][0]["enum"]

    assert set(choices) == CURRENCIES
