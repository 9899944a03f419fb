"""A search typed before signing in is there after: the sign-in leaves the app for the identity
provider and back, and the traveler lands on their own search, not an empty form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_book import sign_in_as
from tests.browser.test_search_preferences import search_fields
from tests.browser.test_search_to_offer import _day, assert_accessible, pick_airport, screenshot
from tests.browser.test_sign_in import ADA

pytestmark = pytest.mark.timeout(300)


def test_a_search_typed_before_signing_in_is_kept_through_the_sign_in(screen: Page) -> None:
    page = screen
    page.goto("/")
    page.get_by_role("radio", name="One way").check()
    pick_airport(page, "From", "CDG", "CDG")
    pick_airport(page, "To", "new york", "JFK")
    page.get_by_label("Departure date").fill(_day(40))
    page.get_by_label("Adults").select_option("2")
    _, cabin, currency = search_fields(page)
    cabin.select_option("premium_economy")
    currency.select_option("EUR")

    sign_in_as(page, ADA, where="banner")  # from the header, as on any page
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))

    # Back on the form (was: empty), as typed: what the traveler chose wins from their profile's.
    origin, cabin, currency = search_fields(page)
    expect(page.get_by_role("radio", name="One way")).to_be_checked()
    expect(origin).to_have_value("CDG")
    expect(page.get_by_role("combobox", name="To", exact=True)).to_have_value("JFK")
    expect(page.get_by_label("Departure date")).to_have_value(_day(40))
    expect(page.get_by_label("Adults")).to_have_value("2")
    expect(cabin).to_have_value("premium_economy")
    expect(currency).to_have_value("EUR")
    assert_accessible(page)
    screenshot(page, "search-kept-over-sign-in")

    # Sent, it is done with: the next visit to the form starts anew.
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/results\?.*leg=CDG\.JFK\.{_day(40)}.*adults=2"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.get_by_role("combobox", name="To", exact=True)).to_have_value("")


def test_an_airport_typed_with_a_dot_comes_back_as_typed(screen: Page) -> None:
    """Was: the kept search and the results address wrote a leg "St. Louis.JFK.<day>", read back
    as From "St", To " Louis"."""
    page = screen
    page.goto("/")
    page.get_by_role("radio", name="One way").check()
    origin = page.get_by_role("combobox", name="From", exact=True)
    origin.fill("St. Louis")  # typed, not chosen from the list
    pick_airport(page, "To", "new york", "JFK")
    page.get_by_label("Departure date").fill(_day(40))

    # The form holds a typed airport as a code is held, upper case (AirportField): that is what
    # is kept, over a reload as over a sign-in.
    page.reload()
    expect(origin).to_have_value("ST. LOUIS")
    expect(page.get_by_role("combobox", name="To", exact=True)).to_have_value("JFK")
    expect(page.get_by_label("Departure date")).to_have_value(_day(40))

    # Sent: the results page's form, read from its address, still says what was typed.
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/results\?"))
    expect(page.get_by_role("combobox", name="From", exact=True)).to_have_value("ST. LOUIS")
    expect(page.get_by_role("combobox", name="To", exact=True)).to_have_value("JFK")
    expect(page.get_by_label("Departure date")).to_have_value(_day(40))
