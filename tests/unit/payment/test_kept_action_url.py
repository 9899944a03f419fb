"""The bank's page a payment or a seat charge keeps: what its column's check allows (0219, 0220).
Before, the seat charge kept any page, so a longer or non-http one failed its intent's UPDATE
after the card's intent was made (the charge left without its intent id)."""

from __future__ import annotations

import pytest

from payment.model import MAX_ACTION_URL, kept_action_url

_PAGE = "https://bank.example/3ds/pi_123?client_secret=abc"


def test_an_http_page_within_the_bound_is_kept() -> None:
    assert kept_action_url(_PAGE) == _PAGE
    assert (
        kept_action_url("http://127.0.0.1:9100/challenge/pi_1")
        == "http://127.0.0.1:9100/challenge/pi_1"
    )
    longest = "https://b.example/" + "x" * (MAX_ACTION_URL - len("https://b.example/"))
    assert kept_action_url(longest) == longest


@pytest.mark.parametrize(
    "page",
    [
        None,
        "https://b.example/" + "x" * MAX_ACTION_URL,  # longer than the column allows
        "javascript:alert(1)",
        "ftp://bank.example/3ds",
        "HTTPS://bank.example/3ds",  # the column's check is case-sensitive
    ],
)
def test_another_page_is_not_kept(page: str | None) -> None:
    assert kept_action_url(page) is None
