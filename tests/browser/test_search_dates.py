"""A day the search cannot ask for (past, or a return before the departure) is refused by the
app beside its field, as every other field's error is: not by Chromium's own bubble (`min`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_search_to_offer import _day, assert_accessible, pick_airport, screenshot

pytestmark = pytest.mark.timeout(300)


def _words(day: str) -> str:
    """A day as the app writes it (web/src/lib/format.ts localDate): `Mon 7 Dec 2026`."""
    date = dt.date.fromisoformat(day)
    return f"{date:%a} {date.day} {date:%b} {date.year}"


def test_a_past_or_out_of_order_day_is_refused_beside_its_field(screen: Page) -> None:
    page = screen
    page.goto("/")
    pick_airport(page, "From", "LHR", "LHR")
    pick_airport(page, "To", "JFK", "JFK")
    date = page.get_by_label("Departure date")
    date.fill(_day(-3))
    back = page.get_by_label("Return date")
    back.fill(_day(10))
    page.get_by_role("button", name="Search", exact=True).click()

    # Not sent, and no bubble: the field is valid to the browser and invalid to the app.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_be_focused()
    # (after the field-error mark the stylesheet draws, "⚠")
    expect(date).to_have_accessible_description(
        re.compile(rf"Date is in the past: the first day you can search is {_words(_day(0))}\.$")
    )
    assert date.evaluate("(input) => input.validity.valid")
    assert_accessible(page)
    screenshot(page, "search-past-date")

    # A return before the departure: the same, beside the return.
    date.fill(_day(20))
    expect(date).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(back).to_be_focused()
    expect(back).to_have_accessible_description(
        re.compile(rf"Return date must not be before the departure date \({_words(_day(20))}\)\.$")
    )
    assert back.evaluate("(input) => input.validity.valid")

    back.fill(_day(27))
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/results\?.*leg=LHR\.JFK\.{_day(20)}"))
