"""Paying with a card whose bank asks the traveler to confirm (3-D Secure): Pay opens the trip
page with the bank's page (the sim's challenge) in a dialog over it; the app stays loaded (its
tokens live in memory only), so the answer leads to the outcome on the trip page without signing
in again. Closing the dialog is giving up for now, and Pay now opens the bank's page again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.test_book import booked, to_the_pay_step
from tests.browser.test_search_to_offer import assert_accessible, screenshot

pytestmark = pytest.mark.timeout(300)


def _pay_with_the_3ds_card(page: Page) -> tuple[Locator, FrameLocator]:
    """The dialog with the bank's page, and the page inside its frame."""
    to_the_pay_step(page)
    page.get_by_label("Test card that asks for 3-D Secure").check()
    page.get_by_role("button", name="Pay").click()
    return bank_dialog(page, r"ord_\w+")


def bank_dialog(page: Page, order_id: str) -> tuple[Locator, FrameLocator]:
    """The bank's page open in its dialog over the trip `order_id` (a pattern): the dialog, and
    the page inside its frame."""
    dialog = page.get_by_role("dialog", name="Confirm with your bank")
    expect(dialog).to_be_visible()
    # Still the app, on the trip's page: nothing navigated away.
    expect(page).to_have_url(re.compile(rf"/trips/{order_id}$"))
    bank = dialog.frame_locator("iframe[title='Your bank’s page']")
    expect(
        bank.get_by_text(re.compile(r"Confirm this payment of [\d.]+ USD with your bank"))
    ).to_be_visible()
    return dialog, bank


def _closed_the_banks_page(page: Page) -> tuple[Locator, Locator]:
    """Paid with the 3-D Secure card, then the bank's page closed by Escape: the dialog (gone)
    and the trip's Booking region."""
    dialog, _ = _pay_with_the_3ds_card(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    return dialog, page.get_by_role("region", name="Booking")


def test_a_card_asking_for_3ds_is_confirmed_in_a_dialog_and_the_trip_is_paid(
    screen: Page,
) -> None:
    page = screen
    dialog, bank = _pay_with_the_3ds_card(page)
    # Focus moved into the dialog (its first control), and the page under it is inert.
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "three-d-secure-dialog")
    bank.get_by_role("button", name="Complete").click()

    # No sign-in again: the dialog goes once the payment is through, and the trip says so.
    expect(dialog).to_be_hidden(timeout=20_000)
    expect(page.get_by_text("Sign in to see this trip.")).to_have_count(0)
    booked(page, "three-d-secure-paid")


def test_a_failed_bank_check_keeps_the_seats_held_and_says_why(screen: Page) -> None:
    page = screen
    dialog, bank = _pay_with_the_3ds_card(page)
    bank.get_by_role("button", name="Fail").click()

    expect(dialog).to_be_hidden(timeout=20_000)
    expect(page.get_by_role("heading", name="The payment was declined")).to_be_visible()
    booking = page.get_by_role("region", name="Booking")
    # Worded from the order's payment_decline_code by web/src/lib/declines.ts.
    expect(booking).to_contain_text("security check (3-D Secure) was not completed")
    expect(booking.get_by_role("link", name="Pay now")).to_be_visible()
    screenshot(page, "three-d-secure-failed")


def test_closing_the_banks_dialog_says_so_and_pay_now_opens_it_again(screen: Page) -> None:
    page = screen
    dialog, booking = _closed_the_banks_page(page)
    expect(booking).to_contain_text("You closed your bank’s page before confirming")
    # Focus is back where it was before the dialog: the trip's heading.
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    screenshot(page, "three-d-secure-closed")
    booking.get_by_role("button", name="Pay now").click()

    expect(dialog).to_be_visible()
    dialog.frame_locator("iframe").get_by_role("button", name="Complete").click()
    expect(dialog).to_be_hidden(timeout=20_000)
    booked(page, "three-d-secure-paid-after-closing")


def test_a_traveler_who_left_the_banks_page_pays_with_another_card(screen: Page) -> None:
    """A bank whose page never works (the SMS never came): the traveler closes it and uses
    another card, which cancels the payment waiting for the bank first: one card charged."""
    page = screen
    _, booking = _closed_the_banks_page(page)
    expect(booking).to_contain_text("or use another card instead (this payment is then canceled)")
    another = booking.get_by_role("link", name="Use another card")
    # By keyboard: the link beside Pay now takes the focus in its turn and follows on Enter.
    booking.get_by_role("button", name="Pay now").focus()
    page.keyboard.press("Tab")
    expect(another).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Pay for your trip")).to_be_visible()
    expect(page.get_by_text("is canceled when you pay with this card")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "three-d-secure-another-card")
    page.get_by_label("Test card that succeeds").check()
    page.get_by_role("button", name="Pay").click()
    booked(page, "three-d-secure-paid-with-another-card")
