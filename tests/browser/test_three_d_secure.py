"""Paying with a card whose bank asks the traveler to confirm (3-D Secure): Pay goes to the bank's
page (the sim's challenge), Complete sends the browser back to the trip, which (signed in again:
the app keeps no tokens over a page load) follows the payment to "Paid and ticketed"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_book import booked, sign_in_as_ada, to_the_pay_step
from tests.browser.test_search_to_offer import screenshot

pytestmark = pytest.mark.timeout(300)


def test_a_card_asking_for_3ds_goes_to_the_bank_and_back_to_a_paid_trip(screen: Page) -> None:
    page = screen
    to_the_pay_step(page)
    page.get_by_label("Test card that asks for 3-D Secure").check()
    page.get_by_role("button", name="Pay").click()

    # The bank's page, on the gateway's own origin: what is confirmed, and two answers.
    expect(page).to_have_url(re.compile(r"/payments/challenge/pi_"))
    expect(
        page.get_by_text(re.compile(r"Confirm this payment of [\d.]+ USD with your bank"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Fail")).to_be_visible()
    screenshot(page, "three-d-secure-challenge")
    page.get_by_role("button", name="Complete").click()

    expect(page).to_have_url(re.compile(r"/trips/ord_\w+\?payment_intent=pi_"))
    # The app keeps its tokens in memory only (web/src/lib/session.ts): a page loaded anew, as
    # after any full navigation, asks to sign in again, then shows this trip.
    expect(page.get_by_text("Sign in to see this trip.")).to_be_visible()
    screenshot(page, "three-d-secure-back")
    sign_in_as_ada(page)
    booked(page, "three-d-secure-paid")


def test_a_failed_bank_check_keeps_the_seats_held_and_says_why(screen: Page) -> None:
    page = screen
    to_the_pay_step(page)
    page.get_by_label("Test card that asks for 3-D Secure").check()
    page.get_by_role("button", name="Pay").click()
    page.get_by_role("button", name="Fail").click()

    expect(page.get_by_text("Sign in to see this trip.")).to_be_visible()
    sign_in_as_ada(page)
    expect(page.get_by_role("heading", name="The payment was declined")).to_be_visible()
    booking = page.get_by_role("region", name="Booking")
    # Worded from the order's payment_decline_code by web/src/lib/declines.ts.
    expect(booking).to_contain_text("security check (3-D Secure) was not completed")
    expect(booking.get_by_role("link", name="Pay now")).to_be_visible()
    screenshot(page, "three-d-secure-failed")
