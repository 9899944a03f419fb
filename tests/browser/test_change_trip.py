"""Changing a booked, paid trip in the browser, against the real stack: a flight moved to another
date (change offers with the fare difference, change fee, total and expiry; an expired offer and
a declined card refused and searched again; then confirmed, same booking); a fare that allows no
change offers none and says so; seats changed after payment, the dearer seat charged to a card (a
declined card leaves the seats as they were). Every new screen is scanned by axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import Stack
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.trips import SEATLESS_AIRLINE, day, expire, open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)

FLEX_CABIN = "premium_economy"  # the sims' changeable, non-refundable fare (economy is neither)
# The sim's declined card (`generic_decline`) in words: naming the amount where the page knows
# it (the change it was confirming), else "nothing was charged" (the trip's notice and history).
_NOT_CHARGED = re.compile(
    r"Your bank declined the card, so (the \$[\d,.]+ was not charged|nothing was charged)"
)
# An aircraft named, as the airlines' IATA type codes are shown (web/src/lib/aircraft.ts).
_AIRCRAFT = re.compile(r" · (Airbus A3\d\d(-\d+)?|Boeing 7\d7(-\d+)?) · ")
PAID_SEAT = re.compile(r"^Seat \d+[A-K], (window|aisle|middle seat)(, extra legroom)?, \$[\d.]+$")


def _shown_date(days_ahead: int) -> str:
    """A date as the app shows it: `Tue 3 Feb 2027`."""
    when = dt.date.fromisoformat(day(days_ahead))
    return f"{when:%a} {when.day} {when:%b} {when.year}"


def _find_flights(page: Page, days_ahead: int) -> Locator:
    """Searches the trip's first flight on another day: the change offers' region."""
    page.get_by_label("New departure date").fill(day(days_ahead))
    page.get_by_role("button", name="Find flights").click()
    offers = page.get_by_role("region", name="Change offers")
    expect(offers.get_by_role("status")).to_contain_text("prices held until")
    return offers


def _choose_dearest(page: Page, offers: Locator) -> Locator:
    """Chooses the last (dearest) change offer: the confirmation's region."""
    offers.get_by_role("listitem").last.get_by_role("button", name="Choose").click()
    confirming = page.get_by_role("region", name="Confirm the change")
    expect(confirming).to_contain_text("to pay now")
    return confirming


def _changing(page: Page, stack: Stack, days_ahead: int, to_day: int) -> tuple[str, Locator]:
    """Ada's paid, changeable trip in `days_ahead` days, its flight searched on `to_day` and the
    dearest change offer chosen: the order's id and the confirmation's region."""
    order_id = paid_trip(stack, page.request, days_ahead=days_ahead, cabin=FLEX_CABIN)
    open_trip(page, order_id)
    page.get_by_role("link", name="Change this flight, LHR to JFK").click()
    return order_id, _choose_dearest(page, _find_flights(page, to_day))


def _told_in_words(notice: Locator) -> None:
    """The sim's declined card (`generic_decline`) in words (failure_code `card_declined`) with
    what the trip keeps and a next step, the amount not charged named; the gateway's code only on
    the line for support; none of the API's own sentence ("…put the original flights back")."""
    expect(notice).to_contain_text(
        re.compile(rf"{_NOT_CHARGED.pattern}\. Your trip keeps its original flights\.")
    )
    next_step = notice.get_by_text(re.compile(r"^Try another card, or ask your bank why\."))
    expect(next_step).to_be_visible()
    expect(notice).to_contain_text("Code for support: generic_decline")
    expect(notice.locator("p").filter(has_text="generic_decline")).to_have_count(1)
    expect(notice).not_to_contain_text("put the original flights back")


def test_a_flight_is_changed_to_another_date_after_an_expired_offer_and_a_declined_card(
    screen: Page, stack: Stack, database_url: str
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=90, cabin=FLEX_CABIN)
    open_trip(page, order_id)
    reference = page.locator(".reference").inner_text()

    page.get_by_role("link", name="Change this flight, LHR to JFK").click()
    expect(page.get_by_role("heading", name="Change your flight")).to_be_visible()
    offers = _find_flights(page, 20)
    # The button stays focused while the airline is asked (the offers are read out by the
    # region): disabled, it dropped the focus to <body>, and the next Tab began at the top.
    expect(page.get_by_role("button", name="Find flights")).to_be_focused()
    first = offers.get_by_role("listitem").first
    for term in ("Fare difference", "Change fee", "Total", "New trip total"):
        expect(first.get_by_text(term, exact=True)).to_be_visible()
    expect(first).to_contain_text(_shown_date(20))
    assert_accessible(page)
    screenshot(page, "change-offers")

    # The offer runs out before the traveler confirms: the API says 410, the page searches again.
    confirming = _choose_dearest(page, offers)
    expire(stack, database_url, "order_changes", order_id)
    confirming.get_by_role("button", name="Confirm change").click()
    expect(confirming.get_by_role("alert")).to_contain_text("These change offers have expired")
    assert_accessible(page)
    confirming.get_by_role("button", name="Search again").click()

    # A declined card: 409, the airline puts the old flights back, nothing is charged.
    confirming = _choose_dearest(page, offers)
    confirming.get_by_label("Test card that is declined").check()
    confirming.get_by_role("button", name="Confirm change").click()
    refused = confirming.get_by_role("alert")
    expect(refused).to_contain_text("Your flight was not changed")
    screenshot(page, "change-declined")
    _told_in_words(refused)
    assert_accessible(page)
    confirming.get_by_role("button", name="Search again").click()

    confirming = _choose_dearest(page, offers)
    expect(confirming.get_by_label("Test card that succeeds")).to_be_checked()
    assert_accessible(page)
    screenshot(page, "change-confirm")
    confirming.get_by_role("button", name="Confirm change").click()

    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    changed = page.get_by_role("status").filter(has_text="Your flight was changed")
    # In the history's words and the page's dates: it said "Slice 1 changed to … on 2027-02-06".
    expect(changed).to_contain_text(f"Flight 1 is now LHR → JFK on {_shown_date(20)} (")
    expect(page.get_by_role("region", name="LHR to JFK")).to_contain_text(_shown_date(20))
    expect(page.locator(".reference")).to_have_text(reference)  # the same booking
    assert_accessible(page)
    screenshot(page, "flight-changed")


def test_a_fare_that_allows_no_change_offers_none_and_says_so(screen: Page, stack: Stack) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=91)  # economy: not changeable
    open_trip(page, order_id)
    # The order carries its fare's conditions: no change is offered that the API would refuse.
    said = page.get_by_text("This fare cannot be changed: its conditions allow no flight changes.")
    expect(said).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Change this flight"))).to_have_count(0)
    expect(page.get_by_role("link", name="Change seats")).to_be_visible()  # seats still can
    assert_accessible(page)
    screenshot(page, "trip-not-changeable")


def test_a_declined_change_is_told_in_words_on_the_trip_page(screen: Page, stack: Stack) -> None:
    """Back on the trip after a declined card, its notice and its history tell the decline in
    words, never as the gateway's code; the notice keeps the code for support."""
    page = screen
    _, confirming = _changing(page, stack, 94, 24)
    confirming.get_by_label("Test card that is declined").check()
    confirming.get_by_role("button", name="Confirm change").click()
    expect(confirming.get_by_role("alert")).to_contain_text("Your flight was not changed")
    confirming.get_by_role("button", name="Back to the flights").click()
    page.get_by_role("button", name="Keep my flight").click()

    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    notice = page.get_by_role("status").filter(has_text="Your last flight change was not made")
    screenshot(page, "trip-change-declined")
    _told_in_words(notice)
    flight = page.get_by_role("region", name="LHR to JFK")
    expect(flight).to_contain_text(_AIRCRAFT)  # named, not the airline's code
    expect(flight).not_to_contain_text("aircraft ")
    history = page.get_by_role("region", name="Trip history")
    failed = history.get_by_role("listitem").filter(has_text="Flight change not made")
    expect(failed).to_contain_text(_NOT_CHARGED)
    # As the change screen says it (its failure_code), not the API's note after the decline.
    expect(failed).to_contain_text("Your trip keeps its original flights.")
    expect(failed).not_to_contain_text("put the original flights back")
    # The code is for support, on its own line beside the words.
    expect(failed.locator(".timeline-reason")).not_to_contain_text("_")
    expect(failed).to_contain_text("Code for support: generic_decline")
    assert_accessible(page)
    failed.scroll_into_view_if_needed()
    screenshot(page, "trip-change-declined-history")
    notice.scroll_into_view_if_needed()
    screenshot(page, "trip-change-declined")


def _choose_paid_seat(page: Page) -> str:
    """On the seat map of the paid trip, a seat that costs money: its designator."""
    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    seat = page.get_by_role("table").first.get_by_role("button", name=PAID_SEAT).first
    designator = (seat.get_attribute("aria-label") or "").split(",")[0].removeprefix("Seat ")
    seat.click()
    summary = page.get_by_role("group", name="Your seats")
    expect(summary).to_contain_text("To pay now: $")
    # What to pay and the card to pay it with are on screen beside the seat just chosen, even
    # on a phone whose seat map is taller than the screen (the bar stays at its foot).
    expect(summary.get_by_text("To pay now")).to_be_in_viewport()
    expect(summary.get_by_role("group", name="Pay for the new seats with")).to_be_in_viewport()
    expect(page.get_by_label("Test card that is declined")).to_be_in_viewport()
    expect(summary.get_by_role("button", name="Save seats")).to_be_in_viewport()
    return designator


def test_seats_change_on_a_paid_trip_charging_the_dearer_seat_to_a_card(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=47, avoid_airline=SEATLESS_AIRLINE)
    open_trip(page, order_id)

    # Declined: the seats stay as they were, and the trip says so.
    designator = _choose_paid_seat(page)
    page.get_by_label("Test card that is declined").check()
    page.get_by_role("button", name="Save seats").click()
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    declined = page.get_by_role("status").filter(has_text="Your seats did not change")
    told = re.compile(r"^Your bank declined the card, so the \$[\d.]+ was not charged")
    expect(declined).to_contain_text(told)
    expect(declined).to_contain_text("Code for support: generic_decline")  # the API's field
    expect(page.get_by_role("region", name="Passengers")).not_to_contain_text(f"Seat {designator}")

    designator = _choose_paid_seat(page)
    expect(page.get_by_label("Test card that succeeds")).to_be_checked()
    assert_accessible(page)
    screenshot(page, "paid-seat-change")
    page.get_by_role("button", name="Save seats").click()
    charged = page.get_by_role("status").filter(has_text="Your new seats are confirmed")
    expect(charged).to_contain_text(re.compile(r"\$[\d.]+ was charged to your card"))
    passengers = page.get_by_role("region", name="Passengers")
    expect(passengers).to_contain_text(re.compile(rf"Ada Lovelace\s*Seat {designator}\b"))
    assert_accessible(page)
    screenshot(page, "paid-seats-changed")


def test_a_change_whose_answer_is_lost_is_followed_until_it_ends(
    screen: Page, stack: Stack
) -> None:
    """The confirmation reaches the API and is made, but its answer never reaches the page (the
    connection drops): the page follows the change offer (`GET …/changes/{id}`) and shows the
    trip with its new flight, rather than leaving the traveler unsure."""
    page = screen
    _, confirming = _changing(page, stack, 91, 21)

    def made_but_answer_lost(route: Route) -> None:
        route.fetch()  # the API confirms the change…
        route.abort("connectionreset")  # …and the page never hears of it

    page.route("**/v1/orders/*/changes/*/confirm", made_but_answer_lost)
    confirming.get_by_role("button", name="Confirm change").click()

    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Your flight was changed")).to_be_visible()
    expect(page.get_by_role("region", name="LHR to JFK")).to_contain_text(_shown_date(21))


_UNAVAILABLE = {
    "type": "https://skyfare.dev/problems/service-unavailable",
    "title": "Service unavailable",
    "status": 503,
    "detail": "the order store is not answering",
}


def _answered_503(route: Route) -> None:
    """The API does the confirmation, but the page is told 503 (a gateway in between gave up)."""
    route.fetch()
    route.fulfill(status=503, json=_UNAVAILABLE, content_type="application/problem+json")


def test_a_change_followed_through_a_503_spell_ends_on_the_changed_trip(
    screen: Page, stack: Stack
) -> None:
    """The confirmation answers 503 and so do the first asks after it: the page says it has not
    heard back yet and keeps asking (confirming again would be safe), then shows the changed
    trip once the API answers."""
    page = screen
    _, confirming = _changing(page, stack, 92, 22)

    asked: list[str] = []

    def unavailable_for_a_while(route: Route) -> None:
        asked.append(route.request.url)
        if len(asked) <= 3:
            route.fulfill(status=503, json=_UNAVAILABLE, content_type="application/problem+json")
        else:
            route.continue_()

    page.route("**/v1/orders/*/changes/*/confirm", _answered_503)
    page.route(re.compile(r".*/v1/orders/[^/]+/changes/och_[^/]+$"), unavailable_for_a_while)
    confirming.get_by_role("button", name="Confirm change").click()

    waiting = confirming.get_by_role("status").filter(has_text="not heard back")
    expect(waiting).to_contain_text("We keep checking")
    expect(waiting).to_contain_text("Confirming again is safe")
    assert_accessible(page)
    screenshot(page, "change-unanswered")
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Your flight was changed")).to_be_visible()
    expect(page.get_by_role("region", name="LHR to JFK")).to_contain_text(_shown_date(22))
    assert len(asked) > 3  # asked through the 503s, not given up after the first


def test_a_followed_change_that_ends_failed_says_why_and_offers_a_new_search(
    screen: Page, stack: Stack
) -> None:
    """A declined card fails the change at the API, but the page only hears 503: following the
    change it learns that it `failed`, says the trip keeps its flights and why, and offers a new
    search."""
    page = screen
    order_id, confirming = _changing(page, stack, 93, 23)
    confirming.get_by_label("Test card that is declined").check()

    page.route("**/v1/orders/*/changes/*/confirm", _answered_503)
    confirming.get_by_role("button", name="Confirm change").click()

    refused = confirming.get_by_role("alert")
    expect(refused).to_contain_text("Your flight was not changed")
    _told_in_words(refused)
    assert_accessible(page)
    screenshot(page, "change-failed")
    confirming.get_by_role("button", name="Search again").click()
    expect(page.get_by_role("region", name="Change offers")).to_be_visible()
    open_trip(page, order_id)  # a new page load: signed in again
    expect(page.get_by_role("region", name="LHR to JFK")).to_contain_text(_shown_date(93))


def test_a_return_moved_before_the_outbound_is_refused_in_words_beside_the_date(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=60, cabin=FLEX_CABIN, return_days_ahead=67)
    open_trip(page, order_id)
    page.get_by_role("link", name="Change this flight, JFK to LHR").click()
    date = page.get_by_label("New departure date")
    date.fill(day(58))
    page.get_by_role("button", name="Find flights").press("Enter")

    # Was the API's words: "must not be before slice 0's date (2027-…)".
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_have_accessible_description(
        re.compile(
            f"This flight cannot leave before your earlier flight on {_shown_date(60)}: "
            r"choose that day or later\.$"
        )
    )
    expect(date).to_be_focused()  # was: Find flights kept it, a Tab from the field to fix
    expect(page.get_by_text("slice 0")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "change-date-refused")
