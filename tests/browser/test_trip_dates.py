"""The trip page writes every date and time one way, whatever the browser's language: a flight's
day as "Thu 4 Feb 2027" and its times as the airport's; a moment of ours (the hold's deadline,
the history's entries) in the traveler's zone, named ("Fri 5 Feb 2027, 00:30 CET"). It wrote
those moments in the browser's locale ("Dec 6, 2026, 6:09 AM") beside flights dated "Thu 4 Feb".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS, VIEWPORTS, Stack
from tests.browser.dates import moment_words
from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.trips import held_trip

pytestmark = pytest.mark.timeout(300)

ZONE = "Europe/Paris"
MOMENT = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} CES?T$"
)


@pytest.fixture(params=list(VIEWPORTS))
def in_paris(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    """A page of a browser set to US English in Paris: neither may change how dates read."""
    context = browser.new_context(
        base_url=base_url, locale="en-US", timezone_id=ZONE, **VIEWPORTS[request.param]
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def test_the_trip_dates_flights_by_the_airport_and_deadlines_in_the_traveler_s_zone(
    in_paris: Page, stack: Stack
) -> None:
    page = in_paris
    order = held_trip(stack, page.request)
    page.goto(f"/trips/{order['id']}")
    sign_in_as_ada(page)
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()

    booking = page.get_by_role("region", name="Booking")
    expect(booking).to_contain_text(
        f"Pay by {moment_words(order['payment_required_by'], ZONE)} to keep"
    )
    departs = order["slices"][0]["segments"][0]["departing_at"]
    day = dt.date.fromisoformat(departs[:10])
    flight = page.get_by_role("region", name="LHR to JFK")
    expect(flight).to_contain_text(f"{departs[11:16]} LHR {day:%a} {day.day} {day:%b} {day.year}")
    expect(flight).to_contain_text("local times")

    history = page.get_by_role("region", name="Trip history")
    expect(history.locator("time").first).to_be_visible()
    for shown in history.locator("time").all_inner_texts():
        assert MOMENT.match(shown), shown
    assert not re.search(r"\d:\d\d\s?[AP]M", page.get_by_role("main").inner_text())
    assert_accessible(page)
    screenshot(page, "trip-dates")
    history.scroll_into_view_if_needed()
    screenshot(page, "trip-dates-history")


def test_my_trips_says_by_when_a_trip_on_hold_must_be_paid(in_paris: Page, stack: Stack) -> None:
    """Was "On hold (not paid)" alone: the deadline only on the trip's own page."""
    page = in_paris
    order = held_trip(stack, page.request, days_ahead=47)
    page.goto("/trips")
    sign_in_as_ada(page)
    trip = page.get_by_role("article", name=f"Trip {order['booking_reference']}")
    expect(trip).to_contain_text("On hold (not paid)")
    expect(trip).to_contain_text(
        f"Pay by {moment_words(order['payment_required_by'], ZONE)} to keep these seats."
    )
    trip.scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "trips-pay-by")
