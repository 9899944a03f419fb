"""The date fields' price calendar: each day of the month with the cheapest fare the service has
cached for the route (`GET /v1/calendar`, no airline asked); a day is picked from it."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from search.fare_index import CheapestFare, slot
from search.routes import SEARCH_SERVICE
from tests.browser.conftest import Stack
from tests.browser.test_search_to_offer import assert_accessible, pick_airport, screenshot

pytestmark = pytest.mark.timeout(300)


def cache_a_fare(stack: Stack, day: dt.date, amount: str, currency: str = "USD") -> None:
    """What a complete search of LHR → JFK on `day` priced in `currency` records in the fare
    index (the stack's searches never complete: one airline always fails, so they are never
    indexed)."""
    assert stack.app is not None
    service = stack.app[SEARCH_SERVICE]
    now = time.time()
    fare = CheapestFare(Decimal(amount), currency, "off_calendar", 12, now, now + 3600, now + 7200)
    where = slot(service.index_scope, "LHR", "JFK", day, None, "economy", 1, currency)
    assert service.fare_index is not None
    stack.run(service.fare_index.record(where, fare))


def _heading_levels(page: Page) -> list[int]:
    """The levels of the headings a screen reader lists in `main`, in order."""
    levels: list[int] = page.get_by_role("main").evaluate(
        """main => [...main.querySelectorAll("h1, h2, h3, h4, h5, h6")]
            .filter(h => h.checkVisibility()).map(h => Number(h.tagName[1]))"""
    )
    return levels


def _route_chosen(page: Page) -> None:
    """The search form, From London Heathrow To New York JFK (the fares cached above)."""
    page.goto("/")
    pick_airport(page, "From", "Lond", "LHR")
    pick_airport(page, "To", "new york", "JFK")


def _open_at(page: Page, day: dt.date) -> str:
    """Opens the first date's calendar (on this month) and moves on to `day`'s: its name."""
    page.get_by_text("Prices by day").first.click()
    today = dt.datetime.now(dt.UTC).date()
    for ahead in range(1, (day.year - today.year) * 12 + day.month - today.month + 1):
        page.get_by_role("button", name="Next month").click()  # the open calendar's
        shown = dt.date(
            today.year + (today.month - 1 + ahead) // 12, (today.month - 1 + ahead) % 12 + 1, 1
        )
        expect(page.get_by_role("table", name=f"{shown:%B %Y}")).to_be_visible()
    return f"{day:%B %Y}"


def test_the_departure_date_is_picked_from_the_cheapest_fares_of_the_month(
    screen: Page, stack: Stack
) -> None:
    page = screen
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=75)
    cache_a_fare(stack, day, "123.45")

    _route_chosen(page)
    month = _open_at(page, day)
    expect(page.get_by_role("heading", name=month)).to_be_visible()
    priced = page.get_by_role("button", name=f"{day.day} {month}, from $123", exact=True)
    expect(priced).to_be_visible()
    assert_accessible(page)
    # The month heads the calendar under the page's h1: an h2 (it was an h3 with no h2 above).
    expect(page.get_by_role("heading", name=month, level=2)).to_be_visible()
    assert _heading_levels(page) == [1, 2]
    screenshot(page, "price-calendar")

    priced.click()
    expect(page.get_by_label("Departure date", exact=True)).to_have_value(day.isoformat())
    expect(priced).to_have_attribute("aria-pressed", "true")


def test_the_calendar_shows_the_prices_of_the_currency_the_search_prices_in(
    screen: Page, stack: Stack
) -> None:
    # It showed the dollar fares (the only ones cached) whatever "Prices in" said.
    page = screen
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=44)
    cache_a_fare(stack, day, "410.00")
    cache_a_fare(stack, day, "377.20", "EUR")

    _route_chosen(page)
    page.get_by_role("combobox", name="Prices in").select_option("EUR")
    month = _open_at(page, day)
    euros = page.get_by_role("button", name=f"{day.day} {month}, from €377", exact=True)
    expect(euros).to_be_visible()
    screenshot(page, "price-calendar-euros")

    page.get_by_role("combobox", name="Prices in").select_option("USD")
    expect(
        page.get_by_role("button", name=f"{day.day} {month}, from $410", exact=True)
    ).to_be_visible()
