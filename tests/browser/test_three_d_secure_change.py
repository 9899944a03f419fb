"""A flight change on a paid trip with a card whose bank asks the traveler to confirm (3-D Secure):
Confirm change shows the bank's page (the sim's challenge) in the same dialog as the order's
payment and a seat change's; closing it says the change is not done and nothing was charged, and
it opens again; the trip opened again (a reload: the change's screen is gone) offers the bank's
page by the order's `change_next_action`; Complete finishes the change and the trip shows the new
flight. A bank's page completed in the change's own screen sends the same confirmation again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import _changing, _shown_date
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.trips import open_trip

pytestmark = pytest.mark.timeout(300)


def _at_the_bank(page: Page, stack: Stack, days_ahead: int, to_day: int) -> tuple[str, Locator]:
    """Ada's paid trip's flight changed to `to_day`, confirmed with the 3-D Secure card: the
    order's id and the confirmation's region, the bank's page open over it."""
    order_id, confirming = _changing(page, stack, days_ahead=days_ahead, to_day=to_day)
    confirming.get_by_label("Test card that asks for 3-D Secure").check()
    confirming.get_by_role("button", name="Confirm change").click()
    expect(page.get_by_role("dialog", name="Confirm with your bank")).to_be_visible()
    return order_id, confirming


def _changed(page: Page, to_day: int) -> None:
    """The trip says its first flight is now on `to_day`."""
    changed = page.get_by_role("status").filter(has_text="Your flight was changed")
    expect(changed).to_contain_text(f"Flight 1 is now LHR → JFK on {_shown_date(to_day)} (")


def test_a_change_paid_with_a_3ds_card_is_confirmed_at_the_bank_and_the_flight_changed(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id, confirming = _at_the_bank(page, stack, days_ahead=93, to_day=23)
    dialog = page.get_by_role("dialog", name="Confirm with your bank")
    bank = dialog.frame_locator("iframe[title='Your bank’s page']")
    expect(
        bank.get_by_text(re.compile(r"Confirm this payment of [\d.]+ USD with your bank"))
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "three-d-secure-change")

    # Closed: not done, nothing charged; no second Confirm beside the bank's own way back.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(confirming).to_contain_text(
        "so your flight change is not done and nothing has been charged"
    )
    expect(confirming.get_by_role("button", name="Confirm change")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "three-d-secure-change-closed")
    confirming.get_by_role("button", name="Confirm with your bank").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")

    # The trip opened again: the change waits for the bank, the trip keeps its flight.
    open_trip(page, order_id)
    waiting = page.get_by_role("region", name="Flight change")
    expect(waiting).to_contain_text("Your bank has not confirmed your flight change yet")
    expect(page.get_by_role("region", name="LHR to JFK")).not_to_contain_text(_shown_date(23))
    expect(dialog).to_be_hidden()
    # One change at a time: no other is offered while this one waits.
    expect(page.get_by_role("link", name="Change this flight, LHR to JFK")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "three-d-secure-change-trip")
    waiting.get_by_role("button", name="Confirm with your bank").click()

    expect(dialog).to_be_visible()
    dialog.frame_locator("iframe").get_by_role("button", name="Complete").click()
    expect(dialog).to_be_hidden(timeout=20_000)
    _changed(page, 23)
    expect(waiting).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "three-d-secure-change-done")


def test_a_change_confirmed_at_the_bank_in_its_own_screen_is_done_at_once(
    screen: Page, stack: Stack
) -> None:
    page = screen
    _at_the_bank(page, stack, days_ahead=94, to_day=24)
    dialog = page.get_by_role("dialog", name="Confirm with your bank")
    dialog.frame_locator("iframe").get_by_role("button", name="Complete").click()
    expect(dialog).to_be_hidden(timeout=20_000)
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    _changed(page, 24)


def test_a_change_waiting_at_the_bank_is_given_up_from_the_trip_and_another_offered(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id, _ = _at_the_bank(page, stack, days_ahead=95, to_day=25)
    page.keyboard.press("Escape")
    # The trip opened again: the bank's page does not work for this traveler; they give it up.
    open_trip(page, order_id)
    waiting = page.get_by_role("region", name="Flight change")
    expect(waiting).to_contain_text("Your bank has not confirmed your flight change yet")
    waiting.get_by_role("button", name="Give up this change").click()
    expect(waiting).to_be_hidden(timeout=20_000)
    expect(page.get_by_text("You gave up this flight change.")).to_be_visible()
    expect(page.get_by_role("region", name="LHR to JFK")).not_to_contain_text(_shown_date(25))
    # No longer held: the trip offers a change again.
    expect(page.get_by_role("link", name="Change this flight, LHR to JFK")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "three-d-secure-change-given-up")
