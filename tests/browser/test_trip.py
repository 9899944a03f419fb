"""Seats, cancelling and support in the browser, against the real stack: a seat chosen in the
booking flow (keyboard and pointer) is paid for and shown on the trip; a cancellation is quoted
(refund, penalty, expiry), an expired quote asked for again, then confirmed; a support case is
opened about a trip and listed with its status and message. Every new screen is scanned by axe.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.test_sign_in import ADA, token_for
from tests.browser.trips import (
    CHARLES,
    SEATLESS_AIRLINE,
    day,
    expire,
    first_flight_left,
    held_trip,
    open_trip,
    paid_trip,
)

pytestmark = pytest.mark.timeout(300)

CHOOSABLE_SEAT = re.compile(
    r"^Seat \d+[A-K], (window|aisle|middle seat)(, extra legroom)?, (free|\$[\d.]+)$"
)

# A seat map's section: `Flight 1: LHR → JFK, BA117, Thu 28 Jan 2027` (LHR → MUC: a connection).
FIRST_FLIGHT_SEATS = re.compile(
    r"^Flight 1: LHR → [A-Z]{3}, [A-Z0-9]{2}\d+, \w{3} \d{1,2} \w{3} \d{4}$"
)


def _to_seat_step(page: Page, days_ahead: int) -> None:
    """Ada on the seat step of a held offer of an airline that sells seats."""
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{day(days_ahead)}"
        "&adults=1&children=0&infants=0&cabin=economy"
    )
    results = page.get_by_role("region", name="Results")
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    offers = results.get_by_role("listitem").filter(has=page.get_by_role("button", name="Select"))
    offers.filter(has_not_text=SEATLESS_AIRLINE).first.get_by_role("button", name="Select").click()
    page.get_by_role("link", name="Continue to passengers").click()
    sign_in_as_ada(page)
    expect(page.get_by_label("Given name")).to_have_value("Ada")
    page.get_by_label("Gender (as on the passport)").select_option("f")
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_role("button", name="Continue to seats").click()
    expect(page.get_by_role("heading", name="Choose your seats")).to_be_visible()


def test_a_seat_chosen_in_the_booking_flow_is_paid_for_and_shown_on_the_trip(screen: Page) -> None:
    page = screen
    _to_seat_step(page, 52)
    # Which flight the map is for, in its section's name: it said "Flight 1: LHR → JFK" alone.
    flight = page.get_by_role("region", name=FIRST_FLIGHT_SEATS)
    passengers = flight.get_by_role("group", name=re.compile(r"^Choosing a seat on \w+ for$"))
    expect(passengers).to_be_visible()
    seat_map = page.get_by_role("table").first
    expect(seat_map.get_by_role("button", name=CHOOSABLE_SEAT).first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "seats")

    # The keyboard: one seat is in the tab order, the arrow keys move between seats.
    first = seat_map.locator("button[tabindex='0']")
    first.focus()
    page.keyboard.press("ArrowDown")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-label", re.compile(r"^Seat \d+[A-K], "))
    expect(focused).to_have_attribute("tabindex", "0")

    seat = seat_map.get_by_role("button", name=CHOOSABLE_SEAT).nth(3)
    label = seat.get_attribute("aria-label") or ""
    designator = label.split(",")[0].removeprefix("Seat ")
    seat.focus()
    page.keyboard.press("Enter")
    chosen = seat_map.locator(f"[data-seat='{designator}']")
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(chosen).to_have_attribute("aria-label", re.compile("your choice"))
    expect(page.get_by_label(f"Ada Lovelace: seat {designator}", exact=False)).to_be_checked()
    assert_accessible(page)
    screenshot(page, "seat-chosen")

    page.get_by_role("button", name="Confirm seats").click()
    expect(page.get_by_role("heading", name="Pay for your trip")).to_be_visible()
    trip = page.get_by_role("region", name="Your trip")
    expect(trip).to_contain_text(f"Seat {designator}")
    assert_accessible(page)
    screenshot(page, "pay")

    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    passengers = page.get_by_role("region", name="Passengers")
    expect(passengers).to_contain_text(re.compile(rf"Ada Lovelace\s*Seat {designator}\b"))
    # Paid, the seats can still change (tests/browser/test_change_trip.py).
    expect(page.get_by_role("link", name="Change seats")).to_be_visible()


def test_seats_are_optional_and_can_be_changed_from_the_trip_while_on_hold(screen: Page) -> None:
    page = screen
    _to_seat_step(page, 53)
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="Hold").click()
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()
    expect(page.get_by_role("region", name="Passengers")).to_contain_text("No seats chosen")

    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    expect(page.get_by_role("region", name=FIRST_FLIGHT_SEATS)).to_be_visible()
    seat = page.get_by_role("table").first.get_by_role("button", name=CHOOSABLE_SEAT).first
    designator = (seat.get_attribute("aria-label") or "").split(",")[0].removeprefix("Seat ")
    seat.click()
    assert_accessible(page)
    screenshot(page, "change-seats")
    page.get_by_role("button", name="Save seats").click()
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()
    expect(page.get_by_role("region", name="Passengers")).to_contain_text(f"Seat {designator}")
    # The history: a first choice (there were none), not a change (it said "Seats changed").
    history = page.get_by_role("region", name="Trip history")
    steps = history.get_by_role("list").get_by_role("listitem")
    chosen = steps.filter(has_text="Seats chosen")
    expect(chosen).to_contain_text(f"{designator} for Ada Lovelace")
    expect(steps.filter(has_text="Seats changed")).to_have_count(0)
    history.scroll_into_view_if_needed()
    screenshot(page, "trip-history-seats-chosen")

    # Another seat for the same flight is a change.
    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    expect(page.get_by_role("region", name=FIRST_FLIGHT_SEATS)).to_be_visible()
    seat_map = page.get_by_role("table").first
    expect(seat_map.get_by_role("button", name=CHOOSABLE_SEAT).first).to_be_visible()
    labels = seat_map.get_by_role("button", name=CHOOSABLE_SEAT).evaluate_all(
        "buttons => buttons.map((b) => b.getAttribute('aria-label'))"
    )
    again = next(
        label.split(",")[0].removeprefix("Seat ")
        for label in labels
        if not label.startswith(f"Seat {designator},")
    )
    seat_map.get_by_role("button", name=re.compile(rf"^Seat {again},")).click()
    page.get_by_role("button", name="Save seats").click()
    expect(page.get_by_role("region", name="Passengers")).to_contain_text(f"Seat {again}")
    expect(steps.filter(has_text="Seats changed")).to_contain_text(f"{again} for Ada Lovelace")
    expect(chosen).to_have_count(1)


def test_a_cancellation_is_quoted_asked_again_once_expired_then_confirmed_with_its_refund(
    screen: Page, stack: Stack, database_url: str
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request)
    open_trip(page, order_id)

    page.get_by_role("button", name="Cancel this trip…").click()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    expect(cancelling.get_by_text("Quote valid until")).to_be_visible()
    expect(cancelling).to_contain_text("Kept by the airline")
    refund = cancelling.locator("dd").first.inner_text()
    # A quote: "refunded to your card" read as done before the traveler said yes.
    assert re.match(r"^\$[\d,]+\.\d\d back to your card if you cancel$", refund), refund
    assert_accessible(page)
    screenshot(page, "cancellation-quote")

    # The quote runs out before the traveler confirms: the API says 410, the page asks again.
    expire(stack, database_url, "order_cancellations", order_id)
    cancelling.get_by_role("button", name="Yes, cancel the trip").click()
    expect(cancelling.get_by_role("alert")).to_contain_text("This cancellation quote has expired")
    assert_accessible(page)
    cancelling.get_by_role("button", name="Get a new quote").click()
    expect(cancelling.get_by_text("Quote valid until")).to_be_visible()

    cancelling.get_by_role("button", name="Yes, cancel the trip").click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    amount = refund.split(" ")[0]
    expect(cancelling).to_contain_text(f"{amount} was refunded to your card")
    screenshot(page, "cancelled")


def test_a_trip_whose_first_flight_has_left_offers_no_cancel_and_says_why(
    screen: Page, stack: Stack, database_url: str
) -> None:
    page = screen
    # An hour ago: the page cannot know the airport's zone, so it offers the cancel, and the
    # API's refusal is said in words (was: "something changed meanwhile").
    order_id = paid_trip(stack, page.request)
    open_trip(page, order_id)
    first_flight_left(stack, database_url, order_id, dt.timedelta(hours=1))
    page.get_by_role("button", name="Cancel this trip…").click()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    expect(cancelling.get_by_role("alert")).to_contain_text(
        "Your trip has begun: its first flight has left, so it can no longer be cancelled"
    )
    expect(cancelling.get_by_role("alert")).to_contain_text("contact support")
    expect(cancelling.get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "trip-begun-refused")

    # Two days ago: past in every zone, so no Cancel, nor the fare's advice to cancel instead.
    first_flight_left(stack, database_url, order_id, dt.timedelta(days=2))
    open_trip(page, order_id)
    expect(cancelling).to_contain_text("Your trip has begun")
    expect(page.get_by_role("button", name="Cancel this trip…")).to_have_count(0)
    expect(page.get_by_text("This fare cannot be changed")).to_have_count(0)
    # Nor Change seats, which the API refuses from 24 hours before the first flight.
    expect(page.get_by_role("link", name="Change seats")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "trip-begun")

    # A changeable round trip: the flight that has left is not offered a change, the return is.
    order_id = paid_trip(stack, page.request, cabin="premium_economy", return_days_ahead=53)
    first_flight_left(stack, database_url, order_id, dt.timedelta(days=2))
    open_trip(page, order_id)
    expect(page.get_by_role("link", name="Change this flight, JFK to LHR")).to_be_visible()
    expect(page.get_by_role("link", name="Change this flight, LHR to JFK")).to_have_count(0)


def test_a_support_case_is_opened_about_a_trip_and_listed_with_its_status(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request)
    open_trip(page, order_id)
    subject = f"Wheelchair at JFK {uuid.uuid4().hex[:6]}"

    page.get_by_role("button", name="Contact support").click()
    form = page.get_by_role("form", name="Contact support")
    expect(form.get_by_label("Subject")).to_be_focused()  # opened on request: focus goes there
    form.get_by_role("button", name="Send to support").click()  # empty: the browser asks first
    assert form.get_by_label("Subject").evaluate("field => field.validity.valueMissing")
    form.get_by_label("Subject").fill(subject)
    form.get_by_label("Message").fill("Please arrange assistance from the gate.")
    assert_accessible(page)
    screenshot(page, "support-form")
    form.get_by_role("button", name="Send to support").click()

    case = page.get_by_role("article", name=f"Case: {subject}")
    expect(case).to_contain_text("Status: Open")
    expect(case).to_contain_text("Please arrange assistance from the gate.")
    expect(page.get_by_role("status").filter(has_text="sent to support")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "support-cases")

    # Listed by the API, not only kept by the page.
    listed = page.request.get(
        "/v1/support/cases", headers={"Authorization": f"Bearer {token_for(stack, ADA)}"}
    )
    assert listed.ok, listed.text()
    assert [c["status"] for c in listed.json()["data"] if c["subject"] == subject] == ["open"]


def test_the_trip_shows_the_bags_its_fare_includes(screen: Page, stack: Stack) -> None:
    """The order's `baggages` (per segment, the same for each passenger) on the trip's page."""
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=53)
    headers = {"Authorization": f"Bearer {token_for(stack, ADA)}"}
    order = page.request.get(f"/v1/orders/{order_id}", headers=headers).json()
    allowances = [seg.get("baggages") for s in order["slices"] for seg in s["segments"]]
    first = allowances[0]
    assert first is not None, "the sim's airlines report the bags they include"
    open_trip(page, order_id)

    bags = page.get_by_role("region", name="Baggage")
    bags.scroll_into_view_if_needed()
    screenshot(page, "trip-baggage")
    expect(bags).to_contain_text("Included in your fare")  # Ada alone: her own allowance
    checked = [b for b in first if b["type"] == "checked"]
    count = sum(b["quantity"] for b in checked)
    if count:
        expect(bags).to_contain_text(f"{count} checked bag{'' if count == 1 else 's'}")
        weight = checked[0].get("max_weight_kg")
        if weight:
            expect(bags).to_contain_text(f"{weight} kg")
    else:
        expect(bags).to_contain_text(re.compile("carry-on only|no bags included"))
    assert_accessible(page)


def _seat_not_in(seat_map: Locator, taken: set[str]) -> str:
    """A seat the passenger choosing may take, other than `taken`: its designator."""
    expect(seat_map.get_by_role("button", name=CHOOSABLE_SEAT).first).to_be_visible()
    labels = seat_map.get_by_role("button", name=CHOOSABLE_SEAT).evaluate_all(
        "buttons => buttons.map((b) => b.getAttribute('aria-label'))"
    )
    designators = (label.split(",")[0].removeprefix("Seat ") for label in labels)
    return next(d for d in designators if d not in taken)


def test_one_save_that_chooses_one_traveler_s_first_seat_and_changes_another_s_says_which(
    screen: Page, stack: Stack
) -> None:
    # The API writes it `seats_chosen_and_changed`, seat by seat (tests/e2e, Vitest); here the
    # whole path: two travelers' seat picker, one save, the trip page and its history.
    page = screen
    order = held_trip(
        stack, page.request, days_ahead=60, avoid_airline=SEATLESS_AIRLINE, companions=(CHARLES,)
    )
    page.goto(f"/trips/{order['id']}")
    sign_in_as_ada(page)
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()

    # Ada's seat first, alone: Charles has none.
    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    expect(page.get_by_role("region", name=FIRST_FLIGHT_SEATS)).to_be_visible()
    flight = page.get_by_role("region", name=re.compile(r"^Flight 1: "))  # of one or two
    seat_map = flight.get_by_role("table").first
    first = _seat_not_in(seat_map, set())
    seat_map.get_by_role("button", name=re.compile(rf"^Seat {first},")).click()
    expect(flight.get_by_label(f"Ada Lovelace: seat {first}", exact=False)).to_be_visible()
    page.get_by_role("button", name="Save seats").click()
    passengers = page.get_by_role("region", name="Passengers")
    expect(passengers).to_contain_text(re.compile(rf"Ada Lovelace\s*Seat {first}\b"))

    # One save: Ada moves (the picker starts on her), then Charles gets his first seat.
    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    expect(page.get_by_role("region", name=FIRST_FLIGHT_SEATS)).to_be_visible()
    flight = page.get_by_role("region", name=re.compile(r"^Flight 1: "))  # of one or two
    seat_map = flight.get_by_role("table").first
    expect(flight.get_by_label(f"Ada Lovelace: seat {first}", exact=False)).to_be_checked()
    again = _seat_not_in(seat_map, {first})
    seat_map.get_by_role("button", name=re.compile(rf"^Seat {again},")).click()
    # The next traveler without a seat chooses next.
    expect(flight.get_by_label("Charles Babbage: no seat yet", exact=False)).to_be_checked()
    theirs = _seat_not_in(seat_map, {first, again})
    seat_map.get_by_role("button", name=re.compile(rf"^Seat {theirs},")).click()
    expect(flight.get_by_label(f"Charles Babbage: seat {theirs}", exact=False)).to_be_checked()
    expect(flight.get_by_label(f"Ada Lovelace: seat {again}", exact=False)).to_be_visible()
    page.get_by_role("button", name="Save seats").click()

    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()
    expect(passengers).to_contain_text(re.compile(rf"Ada Lovelace\s*Seat {again}\b"))
    expect(passengers).to_contain_text(re.compile(rf"Charles Babbage\s*Seat {theirs}\b"))
    history = page.get_by_role("region", name="Trip history")
    steps = history.get_by_role("list").get_by_role("listitem")
    both = steps.filter(has_text="Seats chosen and changed")
    expect(both).to_have_count(1)
    expect(both).to_contain_text(
        f"{again} for Ada Lovelace (was {first}), {theirs} for Charles Babbage (new)"
    )
    # Not "Seats changed" as a whole; Ada's first seat is its own step, before it.
    expect(steps.filter(has_text=re.compile(r"Seats changed"))).to_have_count(0)
    chosen = steps.filter(has_text=re.compile(r"Seats chosen(?! and)"))
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text(f"{first} for Ada Lovelace")
    expect(steps.last).to_contain_text("Seats chosen and changed")
    assert_accessible(page)
    history.scroll_into_view_if_needed()
    screenshot(page, "trip-history-seats-chosen-and-changed")
