"""Filters on the results and a new search: the same route on other days keeps them, says so
beside the offers and clears them in one press; another route starts without them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_search_to_offer import _day, assert_accessible, pick_airport, screenshot

pytestmark = pytest.mark.timeout(300)


def _search_again(page: Page, *, to: tuple[str, str] | None = None, day: str | None = None) -> None:
    """Change the search from the results page's own form (the page stays: its filters too)."""
    if not page.get_by_role("form", name="Search flights").is_visible():
        page.get_by_text("Change search").click()
    if to:
        pick_airport(page, "To", *to)
    if day:
        page.get_by_label("Departure date").fill(day)
    page.get_by_role("button", name="Search", exact=True).click()


def _found(page: Page) -> None:
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()


def test_filters_kept_for_other_days_are_said_and_a_new_route_starts_without_them(
    screen: Page,
) -> None:
    page = screen
    page.goto(f"/results?trip=one-way&leg=LHR.JFK.{_day(33)}&adults=1&children=0&infants=0")
    _found(page)
    page.get_by_text("Sort and filter").click()
    stops = page.get_by_label("Stops")
    airlines = page.get_by_role("group", name="Airlines").get_by_role("checkbox")
    first_airline = airlines.first.evaluate("(box) => box.labels[0].textContent")
    airlines.first.uncheck()  # the others' offers stay on the page
    results = page.get_by_role("region", name="Results")
    filtered = results.get_by_text(f"Filtered: Not {first_airline}.")
    expect(filtered).to_be_visible()

    # The same route, another day: the filters stay, and the page says so beside the offers.
    _search_again(page, day=_day(34))
    expect(page).to_have_url(re.compile(rf"leg=LHR\.JFK\.{_day(34)}"))
    _found(page)
    expect(filtered).to_be_visible()
    assert_accessible(page)
    filtered.scroll_into_view_if_needed()
    screenshot(page, "filters-kept-for-other-days")
    results.get_by_role("button", name="Clear filters").click()
    expect(filtered).to_be_hidden()
    expect(airlines.first).to_be_checked()
    expect(results.get_by_role("status")).not_to_contain_text("shown with your filters")

    # Another route: it starts unfiltered (was: the filters kept, folded away, offers hidden).
    stops.select_option("0")
    airlines.first.uncheck()
    _search_again(page, to=("Paris", "CDG"))
    expect(page).to_have_url(re.compile(r"leg=LHR\.CDG\."))
    _found(page)
    expect(stops).to_have_value("any")
    for box in airlines.all():
        expect(box).to_be_checked()
    expect(results.get_by_text(re.compile(r"^Filtered:"))).to_have_count(0)
    expect(results.get_by_role("status")).not_to_contain_text("shown with your filters")
    results.scroll_into_view_if_needed()
    screenshot(page, "filters-new-route")
