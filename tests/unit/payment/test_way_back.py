"""Where a card's bank (3-D Secure) sends the traveler back: one rule for every charge that can
ask it (a held order's payment, a seat change's charge)."""

from __future__ import annotations

from payment.model import way_back

ORDER = "ord_0123456789abcdef01234567"


def test_the_configured_web_app_wins_over_the_requests_origin() -> None:
    back = way_back("https://www.skyfare.example/", "http://10.0.0.7:8080", ORDER)
    assert back == f"https://www.skyfare.example/bank-return?order={ORDER}"


def test_without_a_configured_address_the_bank_sends_back_to_the_requests_origin() -> None:
    assert way_back(None, "http://127.0.0.1:22080", ORDER) == (
        f"http://127.0.0.1:22080/bank-return?order={ORDER}"
    )


def test_a_charge_asked_by_no_request_is_given_no_way_back() -> None:
    assert way_back(None, None, ORDER) is None
