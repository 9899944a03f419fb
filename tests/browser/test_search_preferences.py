"""A signed-in traveler's search starts from their profile: home airport, cabin and currency
(one search can price in: the profile offers no other)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_search_to_offer import _day, assert_accessible, pick_airport, screenshot

pytestmark = pytest.mark.timeout(300)


def search_fields(page: Page) -> tuple[Locator, Locator, Locator]:
    form = page.get_by_role("form", name="Search flights")
    return (
        form.get_by_role("combobox", name="From", exact=True),
        form.get_by_role("combobox", name="Cabin"),
        form.get_by_role("combobox", name="Prices in"),
    )


MARY_PASSWORD = "jackson-1921"


def sign_up_at_profile(page: Page) -> str:
    """A new traveler (no earlier run's profile), through the provider's sign-up form: its email."""
    page.goto("/profile")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    form = page.get_by_role("form", name="Create an account")
    form.get_by_label("Given name").fill("Mary")
    form.get_by_label("Family name").fill("Jackson")
    email = f"mary-{uuid.uuid4().hex[:12]}@example.com"
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(MARY_PASSWORD)
    form.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    return email


def test_a_signed_in_travelers_search_starts_from_their_travel_preferences(
    screen: Page,
) -> None:
    page = screen
    page.goto("/")
    origin, cabin, currency = search_fields(page)
    expect(origin).to_have_value("")  # signed out: as before
    expect(cabin).to_have_value("economy")
    expect(currency).to_have_value("USD")

    sign_up_at_profile(page)
    profile = page.get_by_role("form", name="Your profile")
    profile.get_by_label("Home airport").fill("lhr")
    profile.get_by_label("Cabin").select_option("business")
    # Only the currencies search prices in are offered (a profile saved before keeps its own:
    # test_profile.py).
    profile.get_by_label("Currency").select_option(label="British pound (GBP)")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("status")).to_have_text("Your profile is saved.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(origin).to_have_value("LHR")
    expect(cabin).to_have_value("business")
    expect(currency).to_have_value("GBP")
    assert_accessible(page)
    screenshot(page, "search-from-preferences")

    # What the traveler changes wins; the search runs in business, priced in pounds.
    pick_airport(page, "To", "new york", "JFK")
    page.get_by_label("Departure date").fill(_day(30))
    page.get_by_label("Return date").fill(_day(37))
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/results\?.*cabin=business.*currency=GBP"))
    results = page.get_by_role("region", name="Results")
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    expect(results.locator(".price").first).to_contain_text("£")


def test_the_seat_map_marks_the_seats_where_the_traveler_likes_to_sit(screen: Page) -> None:
    page = screen
    sign_up_at_profile(page)
    profile = page.get_by_role("form", name="Your profile")
    profile.get_by_label("Home airport").fill("LHR")
    profile.get_by_label("Seat").select_option("window")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("status")).to_have_text("Your profile is saved.")

    # In the app (a reload signs out): a one-way search from home, an offer, its passenger.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_role("radio", name="One way").check()
    pick_airport(page, "To", "new york", "JFK")
    page.get_by_label("Departure date").fill(_day(50))
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("region", name="Results")
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    results.get_by_role("button", name="Select").first.click()
    page.get_by_role("link", name="Continue to passengers").click()
    page.get_by_label("Gender (as on the passport)").select_option("f")
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_role("button", name="Continue to seats").click()

    expect(page.get_by_role("heading", name="Choose your seats")).to_be_visible()
    expect(page.get_by_role("list", name="Seat map key")).to_contain_text(
        "Window seat, as in your profile"
    )
    marked = page.locator("button.seat-preferred")
    expect(marked.first).to_be_visible()
    for label in marked.evaluate_all("(seats) => seats.map((s) => s.getAttribute('aria-label'))"):
        assert ", window," in label, label
    # The map starts (its one tab stop) on a window seat of the traveler's.
    first_stop = page.locator("table.seat-table button.seat[tabindex='0']").first
    expect(first_stop).to_have_class(re.compile(r"\bseat-preferred\b"))
    assert_accessible(page)
    screenshot(page, "seats-from-preferences")
