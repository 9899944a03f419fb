"""Seats that can no longer be changed on a booked trip, in the browser against the real stack:
the trip was cancelled (in another tab) while Change seats was open. The refusal speaks of the
trip, not of a booking being made ("Continue without choosing: the airline gives you seats at
check-in"), and the way back shows the trip as it is now, not as the screen opened on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import _choose_paid_seat
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.test_sign_in import ADA, token_for
from tests.browser.trips import SEATLESS_AIRLINE, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)


def test_seats_refused_on_a_trip_cancelled_meanwhile_are_told_as_the_trips(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=48, avoid_airline=SEATLESS_AIRLINE)
    open_trip(page, order_id)
    _choose_paid_seat(page)
    cancelled = page.request.post(
        f"/v1/orders/{order_id}/cancel",
        headers={"Authorization": f"Bearer {token_for(stack, ADA)}"},
    )
    assert cancelled.ok, cancelled.text()

    page.get_by_role("button", name="Save seats").click()
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("Seats cannot be changed on this trip now.")
    expect(refused).to_contain_text("Go back to your trip to see where it stands")
    expect(refused).not_to_contain_text("Continue without choosing")
    # Not the API's sentence: it followed the words ("Seats can be chosen on a held or …").
    expect(refused).not_to_contain_text("held or confirmed order")
    # No seats to keep: the seat map, asked again, is closed too, and the way on is the trip.
    expect(page.get_by_role("button", name="Keep my seats")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "seats-closed-on-trip")
    page.get_by_role("button", name="Back to my trip").click()
    # Read again on the way back: it showed the trip as this screen opened on it, paid.
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    expect(page.get_by_role("link", name="Change seats")).to_have_count(0)
