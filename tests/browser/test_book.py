"""From an offer to a booked, paid trip: sign in when asked, passengers (the API's errors beside
their fields), the seat step skipped, pay with the sim gateway's test card, follow the payment to
the confirmation, then cancel it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.dates import browser_zone, moment_words
from tests.browser.test_search_to_offer import ERROR_COLOUR, assert_accessible, screenshot

pytestmark = pytest.mark.timeout(300)


def _day(days_ahead: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)).isoformat()


def open_an_offer(page: Page) -> None:
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(50)}&adults=1&children=0&infants=0&cabin=economy"
    )
    results = page.get_by_role("region", name="Results")
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    results.get_by_role("button", name="Select").first.click()
    expect(
        page.get_by_text("Price confirmed with the airline").or_(page.get_by_role("alert"))
    ).to_be_visible()


def sign_in_as_ada(page: Page) -> None:
    sign_in_as(page, ("ada@example.com", "lovelace-1815"))


def sign_in_as(page: Page, user: tuple[str, str], where: str = "main") -> None:
    """`user` (email, password) through the provider's form, from the Sign in button in the
    page's `where` landmark role ("main": the screen's own; "banner": the header's)."""
    page.get_by_role(where).get_by_role("button", name="Sign in").click()
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill(user[0])
    form.get_by_label("Password").fill(user[1])
    form.get_by_role("button", name="Sign in").click()


def skip_seats(page: Page) -> None:
    """Past the optional seat step, to the payment step."""
    expect(page.get_by_role("heading", name="Choose your seats")).to_be_visible()
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("heading", name="Pay for your trip")).to_be_visible()


def hold_without_seats(page: Page) -> None:
    """From the filled passengers page: hold the seats, skip choosing them, pay later."""
    page.get_by_role("button", name="Continue to seats").click()
    skip_seats(page)
    page.get_by_role("button", name="Hold").click()
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()


def booked(page: Page, picture: str) -> Locator:
    """The trip page once paid and ticketed (checked for accessibility, and pictured as
    `picture`); its Booking region."""
    expect(page).to_have_url(re.compile(r"/trips/ord_"))
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    booking = page.get_by_role("region", name="Booking")
    expect(booking).to_contain_text(re.compile(r"Booking reference [A-Z0-9]{6}"))
    expect(booking).to_contain_text("Paid and ticketed")
    assert_accessible(page)
    screenshot(page, picture)
    return booking


def test_a_signed_in_traveler_books_and_pays_and_sees_the_booking_reference(screen: Page) -> None:
    page = screen
    open_an_offer(page)
    page.get_by_role("link", name="Continue to passengers").click()
    expect(page.get_by_text("Sign in to book")).to_be_visible()
    sign_in_as_ada(page)

    expect(page).to_have_url(re.compile(r"/book/off_"))
    expect(page.get_by_label("Given name")).to_have_value("Ada")  # from the profile's claims
    expect(page.get_by_label("Family name")).to_have_value("Lovelace")
    page.get_by_label("Gender (as on the passport)").select_option("f")
    page.get_by_label("Date of birth").fill(_day(30))  # in the future: the API refuses it
    page.get_by_role("button", name="Continue to seats").click()
    birth = page.get_by_label("Date of birth")
    expect(birth).to_have_attribute("aria-invalid", "true")
    expect(birth).to_have_css("border-top-color", ERROR_COLOUR)  # a date input is marked too
    expect(page.get_by_role("alert")).to_contain_text("Some details need fixing")
    assert_accessible(page)
    screenshot(page, "passengers")

    birth.fill("1990-12-10")
    page.get_by_role("button", name="Continue to seats").click()
    skip_seats(page)
    page.get_by_label("Test card that succeeds").check()
    page.get_by_role("button", name="Pay").click()

    booking = booked(page, "confirmation")

    # Cancelling says what happens first (a refund, since it is paid), then does it.
    page.get_by_role("button", name="Cancel this trip…").click()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    expect(cancelling).to_contain_text("back to your card if you cancel")
    page.get_by_role("button", name="Yes, cancel the trip").click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    # The airline kept most of it: the box says what was paid, not a "Total" beside "refund
    # complete" that read as all of it coming back.
    expect(booking).to_contain_text(re.compile(r"You paid \$[\d,.]+\."))
    expect(booking).not_to_contain_text("Total")


def to_the_pay_step(page: Page) -> None:
    """From an offer to its payment step, signed in as Ada, no seats chosen."""
    open_an_offer(page)
    page.get_by_role("link", name="Continue to passengers").click()
    sign_in_as_ada(page)
    page.get_by_label("Gender (as on the passport)").select_option("f")
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_role("button", name="Continue to seats").click()
    skip_seats(page)


def test_a_declined_card_keeps_the_seats_held_and_says_so(screen: Page) -> None:
    page = screen
    to_the_pay_step(page)
    page.get_by_label("Test card that is declined").check()
    page.get_by_role("button", name="Pay").click()

    expect(page.get_by_role("heading", name="The payment was declined")).to_be_visible()
    booking = page.get_by_role("region", name="Booking")
    # Why, from the order's payment_decline_code: in words, the code kept for support.
    expect(booking).to_contain_text("Your bank declined the card, so nothing was charged.")
    expect(booking).to_contain_text("Code for support: generic_decline")

    # The hold's deadline in the traveler's zone, named, as the history beside it (it was the
    # API's UTC stamp cut to "2026-12-05 04:27 UTC").
    deadline = booking.locator("time")
    stamp = deadline.get_attribute("datetime") or ""
    expect(deadline).to_have_text(moment_words(stamp, browser_zone(page)))
    expect(booking).not_to_contain_text(stamp[:16].replace("T", " "))

    # "Try another card": the way to is on the page the decline landed on, not only after a reload.
    page.get_by_role("link", name="Pay now").click()
    expect(page.get_by_role("heading", name="Pay for your trip")).to_be_visible()
    page.get_by_label("Test card that succeeds").check()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
