"""A stored traveler as the document a merge patch applies to: patching one field leaves a
document the traveler checks accept as it was."""

from __future__ import annotations

import datetime as dt

from users.model import LoyaltyAccount, SavedTraveler
from users.validation import parse_traveler, traveler_document

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def _traveler(*accounts: LoyaltyAccount) -> SavedTraveler:
    return SavedTraveler(
        id="trv_0123456789abcdef01234567", given_name="Grace", family_name="Hopper",
        born_on=dt.date(1986, 12, 9), gender="f", loyalty_accounts=accounts, document=None,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_a_traveler_without_loyalty_accounts_reads_back_as_valid() -> None:
    parsed = parse_traveler(traveler_document(_traveler()), today=NOW.date())

    assert parsed.loyalty_accounts == ()


def test_a_travelers_loyalty_accounts_read_back_as_they_were() -> None:
    account = LoyaltyAccount("BA", "12345678")

    parsed = parse_traveler(traveler_document(_traveler(account)), today=NOW.date())

    assert parsed.loyalty_accounts == (account,)
