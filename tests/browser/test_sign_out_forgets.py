"""Signing out forgets the traveler in the tab: on a shared computer the next person, by the back
button or a sign-in of their own, sees nothing of the last one's trips or profile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import sign_in_as, sign_in_as_ada
from tests.browser.test_failures import answer_orders_once, new_price, to_passengers
from tests.browser.test_sign_in import hold_for_ada

pytestmark = pytest.mark.timeout(300)

ALAN = ("alan@example.com", "turing-1912")


def _shows_none_of(page: Page, *personal: str) -> None:
    """Nothing of `personal` in the page's text, its fields, the tab's storage or the state of
    its history entry (the browser keeps that until the tab is closed)."""
    shown = page.locator("body").inner_text()
    fields = " ".join(
        page.locator("input, textarea, select").evaluate_all("els => els.map(e => e.value)")
    )
    stored = page.evaluate(
        "() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"
        " + JSON.stringify(history.state)"
    )
    for words in personal:
        assert words not in shown
        assert words not in fields
        assert words not in stored


def test_after_sign_out_the_back_button_and_the_next_traveler_see_nothing_of_the_last(
    screen: Page, stack: Stack
) -> None:
    page = screen
    reference = hold_for_ada(stack, page.request)
    page.goto("/trips")
    sign_in_as_ada(page)
    card = page.get_by_role("article", name=f"Trip {reference}")
    expect(card).to_be_visible()
    card.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/trips/ord_"))
    expect(page.get_by_role("main")).to_contain_text(reference)
    page.get_by_role("banner").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("form", name="Your profile")).to_be_visible()
    family = page.get_by_label("Family name").input_value()
    assert family

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Sign in to see your profile")).to_be_visible()
    _shows_none_of(page, reference, family, "ada@example.com")

    # Back through the same tab's history (the app's own pages, no reload): signed out on each.
    page.go_back()
    expect(page.get_by_text("Sign in to see this trip")).to_be_visible()
    _shows_none_of(page, reference, family, "ada@example.com")
    page.go_back()
    expect(page.get_by_text("Sign in to see your trips")).to_be_visible()
    _shows_none_of(page, reference, family, "ada@example.com")

    # The next traveler signs in in the same tab: their own trips and profile, never Ada's.
    sign_in_as(page, ALAN)
    expect(page).to_have_url(re.compile(r"/trips$"))
    expect(page.get_by_role("heading", name="My trips")).to_be_visible()
    expect(page.get_by_text("Loading your trips…")).to_have_count(0)
    _shows_none_of(page, reference, family, "ada@example.com")
    page.get_by_role("banner").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("form", name="Your profile")).to_be_visible()
    expect(page.get_by_role("textbox", name="Email")).to_have_value(ALAN[0])
    _shows_none_of(page, reference, family, "ada@example.com")


def test_passengers_typed_before_a_new_price_are_not_left_in_the_tab_after_sign_out(
    screen: Page,
) -> None:
    page = screen
    to_passengers(page)  # Ada, her date of birth typed
    answer_orders_once(page, 409, new_price("off_renewed"))
    page.get_by_role("button", name="Continue to seats").click()
    page.get_by_role("alert").get_by_role("button", name="Book at $612.40").click()
    expect(page).to_have_url(re.compile(r"/book/off_renewed$"))

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Sign in to book")).to_be_visible()
    _shows_none_of(page, "1990-12-10", "ada@example.com")
