"""What a traveler managing a trip tripped on, walked on a phone and a desktop window: a paid
seat hidden under the bar that asks for its card, a new search from the results page that lost
the focus, and the trip's history missing a seat change made on it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import PAID_SEAT
from tests.browser.trips import SEATLESS_AIRLINE, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)

# Whether the focused element's middle is drawn on top, not under something else (the sticky bar).
FOCUS_IN_SIGHT = """() => {
  const focused = document.activeElement;
  const box = focused.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return top !== null && (top === focused || focused.contains(top));
}"""

# Scrolls so `seat` sits just above the seat bar: where a traveler scrolling down the map meets it.
SEAT_ABOVE_BAR = """(seat, bar) => {
  const gap = bar.getBoundingClientRect().top - seat.getBoundingClientRect().bottom;
  window.scrollBy({ top: 12 - gap, behavior: "instant" });
}"""


def test_a_paid_seat_chosen_stays_in_sight_above_the_card_it_asks_for(
    screen: Page, stack: Stack
) -> None:
    """On a phone the bar at the screen's foot grew a card choice when a paid seat was chosen,
    over that very seat: the focus was on a button no one could see."""
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=48, avoid_airline=SEATLESS_AIRLINE)
    open_trip(page, order_id)
    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    summary = page.get_by_role("group", name="Your seats")
    expect(summary).to_contain_text("Nothing to pay")
    seat_map = page.get_by_role("table").first
    expect(seat_map.get_by_role("button", name=PAID_SEAT).first).to_be_visible()
    # One from the middle of the map, with rows to scroll both ways; found by its place, not its
    # name ("your choice" joins the name once it is chosen).
    places = seat_map.get_by_role("button", name=PAID_SEAT).evaluate_all(
        "seats => seats.map((s) => s.dataset.seat)"
    )
    seat = seat_map.locator(f'[data-seat="{places[len(places) // 2]}"]')
    seat.evaluate(SEAT_ABOVE_BAR, summary.element_handle())
    seat.click()
    expect(summary).to_contain_text("To pay now: $")
    expect(seat).to_be_focused()
    expect(seat).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(FOCUS_IN_SIGHT), "the seat just chosen is under the bar"
    expect(summary.get_by_role("button", name="Save seats")).to_be_in_viewport()


def test_seats_changed_on_a_paid_trip_show_on_its_history(screen: Page, stack: Stack) -> None:
    """The history is asked again as the trip moves; a seat change did not move the trip's
    `updated_at`, so the step was missing until the traveler signed in again."""
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=49, avoid_airline=SEATLESS_AIRLINE)
    open_trip(page, order_id)
    page.get_by_role("link", name="Change seats").click()
    seat = page.get_by_role("table").first.get_by_role("button", name=PAID_SEAT).first
    designator = (seat.get_attribute("aria-label") or "").split(",")[0].removeprefix("Seat ")
    seat.click()
    page.get_by_role("button", name="Save seats").click()
    charged = page.get_by_role("status").filter(has_text="Your new seats are confirmed")
    expect(charged).to_be_visible()
    steps = page.get_by_role("region", name="Trip history").get_by_role("listitem")
    expect(steps.filter(has_text=re.compile(r"^Seats (changed|chosen)"))).to_contain_text(
        f"{designator} for Ada Lovelace"
    )


def test_a_new_search_from_the_results_page_starts_at_its_heading(screen: Page) -> None:
    """'Change search', then Search: the form was drawn anew under the pressed button, focus fell
    to the page's body and the form stayed open over the new results."""
    page = screen
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=51)).isoformat()
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{day}&adults=2&children=0&infants=1&cabin=economy"
    )
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    page.get_by_text("Change search").click()
    page.get_by_label("Cabin").select_option("premium_economy")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile("cabin=premium_economy"))
    expect(page.get_by_role("heading", level=1, name="LHR → JFK")).to_be_focused()
    expect(page.get_by_role("button", name="Search")).to_be_hidden()  # the form folded away
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
