"""Each result card says whether its fare can be refunded and changed, as the offer's page it
opens says it: travelers learnt it only there, one offer at a time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_search_to_offer import _day, assert_accessible, screenshot

pytestmark = pytest.mark.timeout(120)

CONDITIONS = re.compile(r"(Not refundable|Refundable) · (No changes|Changes allowed)")


def test_each_result_card_says_whether_the_fare_can_be_refunded_and_changed(screen: Page) -> None:
    page = screen
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(57)}&adults=1&children=0&infants=0&cabin=economy"
    )
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    card = page.get_by_role("region", name="Results").get_by_role("article").first
    expect(card).to_contain_text(CONDITIONS)
    said = CONDITIONS.search(card.inner_text())
    assert said
    # Select says them too, to a screen reader tabbing from one Select to the next (was: its
    # name said seller, flights and price, nothing of the conditions).
    select = card.get_by_role("button", name=re.compile(r"^Select "))
    expect(select).to_have_accessible_description(said.group(0))
    assert_accessible(page)
    screenshot(page, "results-conditions")

    select.click()
    terms = page.get_by_role("region", name="Fare conditions").get_by_role("listitem")
    expect(terms.nth(0)).to_have_text(said.group(1))
    expect(terms.nth(1)).to_have_text(said.group(2))
