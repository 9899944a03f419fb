"""What a trip cost, on its page: the booking box counts every card charge. A seat bought on a
paid trip is a charge of its own that the order's `total_amount` leaves out, so the box still
said the fare's "Total" after it was bought, and "You paid" the fare alone once cancelled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import PAID_SEAT
from tests.browser.test_sign_in import ADA, token_for
from tests.browser.trips import SEATLESS_AIRLINE, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)


def dollars(amount: str) -> str:
    return f"${Decimal(amount):,.2f}"


def the_order(stack: Stack, page: Page, order_id: str) -> dict[str, Any]:
    answer = page.request.get(
        f"/v1/orders/{order_id}", headers={"Authorization": f"Bearer {token_for(stack, ADA)}"}
    )
    assert answer.status == 200, answer.text()
    order: dict[str, Any] = answer.json()
    return order


def test_the_booking_box_counts_a_seat_bought_later_and_says_all_that_was_paid_once_cancelled(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=52, avoid_airline=SEATLESS_AIRLINE)
    open_trip(page, order_id)
    status = page.get_by_role("region", name="Booking").get_by_role("status")
    fare = the_order(stack, page, order_id)["total_amount"]
    expect(status).to_contain_text(f"Total {dollars(fare)}.")

    page.get_by_role("link", name="Change seats").click()
    page.get_by_role("table").first.get_by_role("button", name=PAID_SEAT).first.click()
    page.get_by_role("button", name="Save seats").click()
    charged = page.get_by_role("status").filter(has_text="Your new seats are confirmed")
    expect(charged).to_be_visible()
    money = the_order(stack, page, order_id)["money"]
    paid = money["paid_amount"]
    assert Decimal(paid) > Decimal(fare), money  # the seat is a charge of its own
    expect(status).to_contain_text(f"Total {dollars(paid)}.")

    page.get_by_role("button", name="Cancel this trip…").click()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    cancelling.get_by_role("button", name="Yes, cancel the trip").click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    expect(status).to_contain_text(f"You paid {dollars(paid)}")
