"""Seats bought on a paid trip with a card whose bank asks the traveler to confirm (3-D Secure):
Save seats goes back to the trip, which shows the bank's page (the sim's challenge) in the same
dialog as the order's payment; closing it says the seat change is not done and nothing was
charged, and it opens again, after a reload too (the seats' GET names the bank's page); Complete
gives the seat, shown as the traveler's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import _choose_paid_seat
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.test_three_d_secure import bank_dialog
from tests.browser.trips import SEATLESS_AIRLINE, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)


def test_seats_bought_with_a_3ds_card_are_confirmed_in_a_dialog_and_shown_as_yours(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=58, avoid_airline=SEATLESS_AIRLINE)
    open_trip(page, order_id)
    designator = _choose_paid_seat(page)
    page.get_by_label("Test card that asks for 3-D Secure").check()
    page.get_by_role("button", name="Save seats").click()

    # Back on the trip's page, the app still loaded under the dialog.
    dialog, _ = bank_dialog(page, order_id)
    assert_accessible(page)

    # Closed: not done, nothing charged, the seat as it was; the bank's page opens again.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    passengers = page.get_by_role("region", name="Passengers")
    left = passengers.get_by_role("status").filter(
        has_text="so your seat change is not done and nothing has been charged"
    )
    # The trip's heading stays "Your trip is booked", and the notice is far below it (the
    # Passengers section, past the fold on a phone): it takes the focus, in view, so a sighted
    # traveler sees it and a screen reader starts there.
    expect(left).to_be_focused()
    expect(left).to_be_in_viewport()
    expect(passengers).not_to_contain_text(f"Seat {designator}")
    screenshot(page, "three-d-secure-seats-closed")

    # The trip opened again (a reload: the seat screen's answer is gone): the charge's own
    # next_action offers the bank's page, closed, instead of "Charging…".
    open_trip(page, order_id)
    expect(passengers).to_contain_text("Your bank has not confirmed this seat change yet")
    expect(passengers).not_to_contain_text("Charging")
    expect(dialog).to_be_hidden()
    passengers.get_by_role("button", name="Confirm with your bank").click()

    expect(dialog).to_be_visible()
    dialog.frame_locator("iframe").get_by_role("button", name="Complete").click()
    expect(dialog).to_be_hidden(timeout=20_000)
    charged = page.get_by_role("status").filter(has_text="Your new seats are confirmed")
    expect(charged).to_contain_text(re.compile(r"\$[\d.]+ was charged to your card"))
    # The outcome takes the focus the dialog had, in view, as the closed dialog's line did.
    expect(charged).to_be_focused()
    expect(charged).to_be_in_viewport()
    expect(passengers).to_contain_text(re.compile(rf"Ada Lovelace\s*Seat {designator}\b"))
    screenshot(page, "three-d-secure-seats-bought")
