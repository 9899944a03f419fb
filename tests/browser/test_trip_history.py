"""The trip's history on its page, against the real stack: every change of the order (booked,
paid, ticketed, then cancelled by the traveler) as an ordered timeline with when, who and why,
kept in step with the order as it moves. Scanned by axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from skyfare.keys import PAYMENT_RECONCILER
from tests.browser.conftest import Stack
from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.trips import held_trip, open_trip, paid_trip, pay
from tests.support.payment_sim import payments_control

pytestmark = pytest.mark.timeout(300)


def test_the_trip_page_shows_its_history_as_a_timeline_that_follows_a_cancellation(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=58)
    open_trip(page, order_id)
    booking = page.get_by_role("region", name="Booking")
    expect(booking.get_by_text(re.compile(r"^Tickets: \S"))).to_be_visible()

    history = page.get_by_role("region", name="Trip history")
    steps = history.get_by_role("list").get_by_role("listitem")
    # Oldest first: the booking starts the trip, the ticketing is (so far) its last change.
    expect(steps.first).to_contain_text("Booking started")
    expect(steps.last).to_contain_text("Booked and ticketed")
    expect(steps.filter(has_text="Seats held with the airline")).to_have_count(1)
    expect(steps.filter(has_text="Payment received")).to_have_count(1)
    # Who made each change: the traveler started the payment, Skyfare's processes the rest.
    expect(steps.filter(has_text="Payment started")).to_contain_text("· You")
    expect(steps.last).to_contain_text("· Skyfare")
    # When: a machine-readable instant beside the words.
    stamp = steps.first.locator("time").get_attribute("datetime") or ""
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", stamp), stamp
    assert_accessible(page)
    history.scroll_into_view_if_needed()
    screenshot(page, "trip-history")

    # The timeline follows the order: a cancellation is its newest step, made by the traveler.
    before = steps.count()
    page.get_by_role("button", name="Cancel this trip…").click()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    cancelling.get_by_role("button", name="Yes, cancel the trip").click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    # The cancellation is the first step after the ticketing (its refund may follow it).
    cancelled = steps.nth(before)
    expect(cancelled).to_contain_text("Trip cancelled")
    expect(cancelled).to_contain_text("· You")
    expect(cancelled).to_contain_text("On the terms you were quoted")
    expect(steps.filter(has_text="Trip cancelled")).to_have_count(1)
    # Its tickets are listed as cancelled, no longer as tickets to fly on (they were).
    expect(booking.get_by_text(re.compile(r"^Tickets:"))).to_have_count(0)
    void = booking.get_by_text(re.compile(r"^Cancelled tickets: \S"))
    expect(void).to_contain_text("They can no longer be used to fly")
    booking.scroll_into_view_if_needed()
    screenshot(page, "trip-cancelled-tickets")
    history.scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "trip-history-cancelled")


def test_a_refund_that_comes_through_late_joins_the_timeline_without_a_reload(
    screen: Page, stack: Stack
) -> None:
    """The gateway refuses the cancellation's refund once: the trip is cancelled with its money
    still owed, and the page keeps following it. The payment reconciler (run here at once,
    rather than at its next round) asks again; the page shows the refund on its own."""
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=57)
    open_trip(page, order_id)

    async def refuse_the_next_refund() -> None:
        async with payments_control(stack.sim_url) as gateway:
            [intent] = await gateway.intents(order_id)
            await gateway.refuse_refunds(intent["id"])

    stack.run(refuse_the_next_refund())
    # A mark on this document: it is gone if anything reloads the page.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Cancel this trip…").click()
    page.get_by_role("region", name="Cancel this trip").get_by_role(
        "button", name="Yes, cancel the trip"
    ).click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()

    history = page.get_by_role("region", name="Trip history")
    steps = history.get_by_role("list").get_by_role("listitem")
    delayed = steps.filter(has_text="Refund delayed")
    expect(delayed).to_have_count(1)
    expect(delayed).to_contain_text("We are trying again")
    # Why, in words, by the step's decline_code (the sim's `charge_disputed`).
    expect(delayed).to_contain_text("the payment is disputed with your bank")
    expect(delayed).to_contain_text("· Skyfare, after you cancelled")
    expect(page.get_by_role("status").filter(has_text="Your refund is on its way")).to_be_visible()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    expect(cancelling).to_contain_text("is on its way back to your card")
    refunded = steps.filter(has=page.get_by_text("Refunded", exact=True))
    expect(refunded).to_have_count(0)
    history.scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "trip-history-refund-delayed")

    # Every part owed counts as stale to this round: the refund goes through now.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert stack.app is not None
    stack.run(stack.app[PAYMENT_RECONCILER].once(now=later))

    expect(refunded).to_have_count(1)  # the page's own polling brought it
    expect(steps.last).to_contain_text("Refunded")
    expect(refunded).to_contain_text("back to your card")
    expect(refunded).to_contain_text("· Skyfare")
    expect(page.get_by_role("status").filter(has_text="Your refund is complete")).to_be_visible()
    expect(cancelling).to_contain_text("was refunded to your card")
    assert page.evaluate("window.stillTheSamePage") is True
    history.scroll_into_view_if_needed()
    screenshot(page, "trip-history-refunded-late")


def test_a_ticketing_failure_is_told_in_words_without_the_airlines_own(
    screen: Page, stack: Stack
) -> None:
    """The airline refuses to ticket a paid trip (it dropped the booking behind our back): the
    trip is cancelled and refunded, and its history says so in sentences; what the airline
    wrote (`booking_cancelled`) is never on the page (a history written with it keeps it as the
    detail for support: web/src/features/booking/history.test.ts)."""
    page = screen
    order = held_trip(stack, page.request, days_ahead=59, source_prefix="rest-")
    slug = order["source"].removeprefix("rest-")
    dropped = page.request.post(
        f"{stack.sim_url}/rest/{slug}/bookings/{order['airline_locator']}/cancel"
    )
    assert dropped.ok, dropped.text()
    pay(stack, page.request, order["id"])

    page.goto(f"/trips/{order['id']}")
    sign_in_as_ada(page)
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    history = page.get_by_role("region", name="Trip history")
    steps = history.get_by_role("listitem")
    cancelled = steps.filter(has_text="Trip cancelled")
    expect(cancelled.locator(".timeline-reason")).to_have_text(
        "The airline could not issue the tickets"
    )
    expect(steps.filter(has_text="Refunded")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("booking_cancelled")
    assert_accessible(page)
    cancelled.scroll_into_view_if_needed()
    screenshot(page, "trip-history-ticketing-failed")
