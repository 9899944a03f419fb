"""A button pressed while its request runs (Pay, Hold, Yes, cancel the trip, Save) stays
focusable and says it is busy with `aria-disabled`: `disabled` dropped the keyboard's focus to
the page's body, a screen reader back at the top, until the answer came. A second press is no
second request. Each request is held back (a route that answers only when the test says) to
look at the page meanwhile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.held import held_back, until_held
from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_search_to_offer import screenshot
from tests.browser.trips import held_trip, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)


def test_pay_keeps_the_focus_while_the_payment_is_sent_and_sends_it_once(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order = held_trip(stack, page.request, days_ahead=57)
    page.goto(f"/book/{order['id']}?order={order['id']}")
    sign_in_as_ada(page)
    page.get_by_role("button", name="Skip").press("Enter")
    # The payment waits here until the test lets it through: what the page does meanwhile.
    waiting = held_back(page, "**/v1/orders/*/payments", methods={"POST"})
    pay = page.get_by_role("button", name="Pay", exact=True)
    pay.press("Enter")
    # Was `disabled`: the focus fell to the page's body, a screen reader back at the top.
    expect(pay).to_have_attribute("aria-disabled", "true")
    expect(pay).to_be_focused()
    until_held(page, waiting)
    expect(page.get_by_role("status").filter(has_text="Sending your payment")).to_be_visible()
    expect(page.get_by_role("button", name="Hold")).to_have_attribute("aria-disabled", "true")
    screenshot(page, "pay-sending")
    pay.press("Enter")
    page.get_by_role("button", name="Hold").click(force=True)  # aria-disabled: forced
    expect(page.get_by_role("heading", name="Pay for your trip")).to_be_visible()
    assert len(waiting) == 1  # pressed again, and Hold: still the one payment, still here

    waiting[0].continue_()
    page.unroute("**/v1/orders/*/payments")
    paid = re.compile("Your trip is booked|Payment")
    expect(page.get_by_role("heading", name=paid, level=1)).to_be_visible()


def test_yes_cancel_keeps_the_focus_while_the_cancellation_is_sent(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=59)
    open_trip(page, order_id)
    page.get_by_role("button", name="Cancel this trip…").press("Enter")
    waiting = held_back(page, "**/cancellations/*/confirm", methods={"POST"})
    yes = page.get_by_role("button", name="Yes, cancel the trip")
    yes.press("Enter")

    # Was `disabled`: the focus fell to the page's body while the airline was asked.
    expect(yes).to_have_attribute("aria-disabled", "true")
    expect(yes).to_be_focused()
    # And said, where the traveler is: nothing else on the screen moves while the airline is asked.
    cancelling = page.get_by_role("region", name="Cancel this trip")
    expect(cancelling.get_by_role("status")).to_have_text("Cancelling your trip…")
    # Keep the trip hid the quote while the cancellation went on: inert too.
    keep = page.get_by_role("button", name="Keep the trip")
    expect(keep).to_have_attribute("aria-disabled", "true")
    keep.click(force=True)
    expect(yes).to_be_visible()
    screenshot(page, "cancel-sending")

    until_held(page, waiting)
    waiting[0].continue_()
    page.unroute("**/cancellations/*/confirm")
    expect(page.get_by_role("heading", name="Trip cancelled")).to_be_focused()


def test_save_profile_keeps_the_focus_while_the_profile_is_saved(screen: Page) -> None:
    page = screen
    page.goto("/profile")
    sign_in_as_ada(page)
    phone = page.get_by_label("Phone number")
    expect(phone).to_be_editable()
    # Another number than the one kept (an earlier run's): only a change is sent.
    phone.fill("+442071838751" if phone.input_value() == "+442071838750" else "+442071838750")
    waiting = held_back(page, "**/v1/me", methods={"PATCH"})
    save = page.get_by_role("button", name="Save profile")
    save.press("Enter")

    expect(save).to_have_attribute("aria-disabled", "true")
    expect(save).to_be_focused()  # was the page's body until the answer came
    screenshot(page, "profile-saving")
    until_held(page, waiting)
    assert len(waiting) == 1
    waiting[0].continue_()
    page.unroute("**/v1/me")
    expect(save).not_to_have_attribute("aria-disabled", "true")
    expect(save).to_be_focused()
