"""Changing a flight that has left meanwhile, in the browser, against the real stack: the API's
refusals (a 409 with `departed_at` on confirming, a 422 naming `slice_index` on searching) are
said in words naming the flight and what the traveler can still do, not as "some details need
fixing" or "search again". Every new screen is scanned by axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.trips import day, first_flight_left, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)

FLEX_CABIN = "premium_economy"  # the sims' changeable fare
# The flight as the page names it: `LHR → JFK, BA117, Mon 7 Dec 2026` (its day: today's, UTC).
_FIRST_FLIGHT = r"LHR → JFK, [A-Z0-9]{2}\d+(, [A-Z0-9]{2}\d+)*, \w{3} \d{1,2} \w{3} \d{4}"


def test_a_flight_that_left_while_being_changed_is_named_with_what_is_still_open(
    screen: Page, stack: Stack, database_url: str
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=61, cabin=FLEX_CABIN, return_days_ahead=68)
    open_trip(page, order_id)
    page.get_by_role("link", name="Change this flight, LHR to JFK").click()
    page.get_by_label("New departure date").fill(day(62))
    page.get_by_role("button", name="Find flights").click()
    offers = page.get_by_role("region", name="Change offers")
    expect(offers.get_by_role("status")).to_contain_text("prices held until")
    offers.get_by_role("listitem").last.get_by_role("button", name="Choose").click()
    confirming = page.get_by_role("region", name="Confirm the change")

    # It leaves before the traveler confirms: the API's 409 carries `departed_at`.
    first_flight_left(stack, database_url, order_id, dt.timedelta(hours=1))
    confirming.get_by_role("button", name="Confirm change").click()
    refusal = confirming.get_by_role("alert")
    expect(refusal).to_have_text(
        re.compile(
            rf"^Your trip began at .+, when {_FIRST_FLIGHT} left, so it can no longer be "
            r"changed\. Nothing was changed\. Your later flights can still be changed from "
            r"your trip\. If you missed this flight or it was disrupted, contact support about "
            r"this trip\.$"
        )
    )
    # Was: "Search again for current flights and prices", which the API refuses now.
    expect(confirming.get_by_role("button", name="Search again")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "change-flight-left")

    # The trip opened again (its flight left an hour ago: in some zone it may not have, so the
    # page still offers the change) and searched: the API's 422 names `slice_index`, said as
    # the flight that has left, on the day it left.
    open_trip(page, order_id)
    page.get_by_role("link", name="Change this flight, LHR to JFK").click()
    page.get_by_label("New departure date").fill(day(62))
    page.get_by_role("button", name="Find flights").click()
    refusal = page.get_by_role("alert")
    left = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    left_on = f"{left:%a} {left.day} {left:%b} {left.year}"
    expect(refusal).to_have_text(
        re.compile(
            rf"^Your flight LHR → JFK, [A-Z0-9]{{2}}\d+, {left_on} "
            r"has left, so it can no longer be changed\. Nothing was changed\. "
        )
    )
    expect(page.get_by_text("Some details need fixing")).to_have_count(0)
    expect(page.get_by_text(re.compile("slice"))).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "change-flight-flown")
