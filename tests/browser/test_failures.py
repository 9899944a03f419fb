"""Failure paths in the browser, each with its human message and way forward: a new price at
booking (409: shown, accepted), an offer expired at booking (410: search again), an airline that
hangs (pending, then timed out, the others' offers shown), and the silent token refresh.

The 409 and 410 of `POST /v1/orders` are answered by Playwright's router (the sim re-prices at
random, so neither can be caused on demand); the rest is the real stack.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import open_an_offer, sign_in_as_ada, skip_seats
from tests.browser.test_search_to_offer import assert_accessible, screenshot

pytestmark = pytest.mark.timeout(300)

PROBLEM = "application/problem+json"


def _day(days_ahead: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)).isoformat()


def to_passengers(page: Page) -> str:
    """Ada on the passengers page of an offer; the offer's id."""
    open_an_offer(page)
    page.get_by_role("link", name="Continue to passengers").click()
    sign_in_as_ada(page)
    expect(page).to_have_url(re.compile(r"/book/off_"))
    page.get_by_label("Gender (as on the passport)").select_option("f")
    page.get_by_label("Date of birth").fill("1990-12-10")
    return page.url.rsplit("/", 1)[1]


def answer_orders_once(page: Page, status: int, problem: dict[str, object]) -> None:
    """The next `POST /v1/orders` (the page's next call there) is answered with `problem`;
    later ones reach the API."""

    def refuse(route: Route) -> None:
        assert route.request.method == "POST"
        route.fulfill(status=status, content_type=PROBLEM, body=json.dumps(problem))

    page.route("**/v1/orders", refuse, times=1)


def new_price(offer_id: str) -> dict[str, object]:
    """The 409 of `POST /v1/orders` for an offer the airline re-priced at $612.40 as `offer_id`."""
    return {
        "type": "https://skyfare.dev/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "the price changed",
        "total_amount": "612.40",
        "total_currency": "USD",
        "offer_id": offer_id,
    }


def test_a_new_price_at_booking_is_shown_and_can_be_accepted(screen: Page) -> None:
    page = screen
    offer_id = to_passengers(page)
    answer_orders_once(page, 409, new_price(offer_id))
    page.get_by_role("button", name="Continue to seats").click()

    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("The airline changed this offer")
    expect(refused).to_contain_text("The new price is $612.40")
    expect(refused.get_by_role("link", name="Back to results")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "price-changed")

    refused.get_by_role("button", name="Book at $612.40").click()
    skip_seats(page)
    page.get_by_role("button", name="Hold").click()
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()
    page.get_by_role("button", name="Cancel this trip…").click()
    page.get_by_role("button", name="Yes, cancel the trip").click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    # Never paid: said so, not a bare "Total $612.40." that read as a charge.
    booking = page.get_by_role("region", name="Booking")
    expect(booking).to_contain_text(re.compile(r"Nothing was charged \(the trip was \$[\d,.]+\)\."))
    expect(booking).not_to_contain_text("Total")


def test_an_offer_sold_out_at_booking_leads_back_to_the_results(screen: Page) -> None:
    page = screen
    to_passengers(page)
    # booking/airline.py's answer for the airline's "sold out": a 409 with no new price.
    sold_out = {
        "type": "https://skyfare.dev/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "the offer no longer has enough seats for these passengers",
    }
    answer_orders_once(page, 409, sold_out)
    page.get_by_role("button", name="Continue to seats").click()

    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("Nothing was changed")
    expect(refused).not_to_contain_text("new price")  # there is none to review
    refused.get_by_role("link", name="Back to results").click()
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()


def test_too_many_unpaid_holds_at_booking_says_to_pay_or_cancel_one_in_my_trips(
    screen: Page,
) -> None:
    # The problem document booking/limits.py sends; it read "You have reached the most you can
    # keep. Delete one you no longer need" (the saved travelers' words): delete what, where?
    page = screen
    to_passengers(page)
    answer_orders_once(
        page,
        409,
        {
            "type": "https://skyfare.dev/problems/limit-reached",
            "title": "Limit reached",
            "status": 409,
            "detail": "you have 5 unpaid holds, the most allowed at once is 5: "
            "pay or cancel one first",
            "limit": "open_holds",
            "maximum": 5,
            "current": 5,
        },
    )
    page.get_by_role("button", name="Continue to seats").click()

    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("Pay for or cancel a trip on hold in My trips")
    expect(refused).not_to_contain_text("Delete one")
    assert_accessible(page)


def test_an_offer_expired_at_booking_leads_to_a_new_search(screen: Page) -> None:
    page = screen
    to_passengers(page)
    answer_orders_once(
        page,
        410,
        {"type": "https://skyfare.dev/problems/gone", "title": "Gone", "status": 410},
    )
    page.get_by_role("button", name="Continue to seats").click()

    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("This offer has expired or sold out")
    assert_accessible(page)
    refused.get_by_role("link", name="Search again").click()
    expect(page).to_have_url(re.compile(r"/results\?"))
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()


@pytest.fixture
def hanging_airline(stack: Stack) -> Iterator[str]:
    """Hansa never answers a search (its calls hang) until the test ends."""
    assert stack.sim is not None
    stack.run(stack.sim.set_profile("hansa", hang_rate=1.0))
    yield "Hansa"
    stack.run(stack.sim.set_profile("hansa", hang_rate=0.0))


def test_an_airline_that_hangs_is_pending_then_timed_out_beside_the_others_offers(
    screen: Page, hanging_airline: str
) -> None:
    page = screen
    # A day no other test searched: not answered from the cache.
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(97)}&adults=1&children=0&infants=0&cabin=economy"
    )
    airlines = page.get_by_role("region", name="Airlines")
    hansa = airlines.get_by_role("listitem").filter(has_text=hanging_airline)
    expect(hansa).to_contain_text("still searching…")
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("button", name="Select").first).to_be_visible()  # the others'

    expect(hansa).to_contain_text("timed out")
    expect(airlines).to_contain_text("did not answer: these results may be incomplete")
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "airline-timed-out")


def _trips_asked(request: Request) -> bool:
    """A signed-in read of the traveler's trips."""
    return (
        request.method == "GET"
        and "/v1/orders" in request.url
        and "authorization" in request.headers
    )


def test_the_session_is_refreshed_silently_before_the_access_token_expires(screen: Page) -> None:
    page = screen
    page.clock.install()  # the refresh timer runs on a clock the test moves
    page.goto("/trips")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill("ada@example.com")
    form.get_by_label("Password").fill("lovelace-1815")
    with page.expect_request(_trips_asked) as signed_in:
        form.get_by_role("button", name="Sign in").click()
    trips = page.get_by_role("list", name="Trips").or_(page.get_by_text("No trips yet"))
    expect(trips).to_be_visible()
    first = signed_in.value.headers["authorization"]

    # An hour on, the access token is about to expire: the app refreshes it, unasked.
    with page.expect_request(
        lambda r: r.method == "POST" and "grant_type=refresh_token" in (r.post_data or "")
    ):
        page.clock.fast_forward("01:00:00")
    # Still signed in (the greeting gives way to the links on a phone; Sign out stays).
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("link", name="Search").click()
    # The trips are drawn at once from the list already read, and asked for again after: the
    # list showing says nothing of that request, so the test waits for the request itself (its
    # event may come after the list shows).
    with page.expect_request(_trips_asked) as again:
        page.get_by_role("link", name="My trips").click()
    expect(trips).to_be_visible()
    # Asked with the new access token, and no sign-in page in between.
    expect(page).to_have_url(re.compile(r"/trips$"))
    assert again.value.headers["authorization"] != first, "asked with the token before the refresh"
