"""The code lists and BCP 47 tags profile and traveler fields are checked against."""

from __future__ import annotations

import pytest

from users.codes import COUNTRIES, CURRENCIES, is_airline_code, language_tag


def test_the_lists_hold_the_codes_in_use_and_not_the_retired_or_special_ones() -> None:
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "ZWG", "XCG"} <= CURRENCIES
    assert not {"HRK", "XAU", "XTS", "XXX", "USN"} & CURRENCIES
    assert len(COUNTRIES) == 250  # ISO 3166-1's 249 and XK
    assert {"GB", "US", "DE", "XK"} <= COUNTRIES
    assert not {"UK", "EU", "ZZ"} & COUNTRIES


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("en", "en"),
        ("EN-gb", "en-GB"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("de-CH-1996", "de-CH-1996"),
        ("en-US-u-ca-gregory", "en-US-u-ca-gregory"),
        ("en-x-ab-cd", "en-x-ab-cd"),
    ],
)
def test_a_well_formed_language_tag_is_written_in_its_conventional_case(raw: str, tag: str) -> None:
    assert language_tag(raw) == tag


@pytest.mark.parametrize(
    "raw", ["", "e", "en-", "en--GB", "en_GB", "i-klingon", "x-klingon", "ëN", "en-GB-" + "a" * 60]
)
def test_a_malformed_language_tag_is_refused(raw: str) -> None:
    assert language_tag(raw) is None


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("BA", True),
        ("U2", True),
        ("9W", True),
        ("99", False),
        ("B", False),
        ("BAW", False),
        ("B-", False),
    ],
)
def test_an_airline_code_is_two_letters_or_digits_not_both_digits(code: str, valid: bool) -> None:
    assert is_airline_code(code) is valid
