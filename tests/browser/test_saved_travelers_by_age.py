"""A place is offered only the saved travelers whose age fits it on the travel date: no grown-up
on an infant's lap, no baby in an adult's seat; the others are named with the age asked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import sign_in_as
from tests.browser.test_profile import unique_family_name
from tests.browser.test_search_to_offer import _day, assert_accessible, screenshot
from tests.browser.test_sign_in import ADA, token_for

pytestmark = pytest.mark.timeout(300)


def test_only_the_saved_travelers_whose_age_fits_a_place_are_offered_for_it(
    screen: Page, stack: Stack
) -> None:
    page = screen
    auth = {"Authorization": f"Bearer {token_for(stack, ADA)}"}
    family = unique_family_name()  # this run's travelers (Ada's others vary with the runs)
    baby_born = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=200)).isoformat()
    created = [
        page.request.post(
            "/v1/me/travelers",
            headers=auth,
            data={"given_name": given, "family_name": family, "born_on": born, "gender": "f"},
        )
        for given, born in (("Grace", "1990-03-04"), ("Tilly", baby_born))
    ]
    for answer in created:
        assert answer.status == 201, answer.text()
    try:
        page.goto(
            f"/results?trip=one-way&leg=LHR.JFK.{_day(52)}&adults=1&children=0&infants=1"
            "&cabin=economy"
        )
        expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
        results = page.get_by_role("region", name="Results")
        results.get_by_role("button", name="Select").first.click()
        page.get_by_role("link", name="Continue to passengers").click()
        sign_in_as(page, ADA)

        adult = page.get_by_role("group", name="Passenger 1 (adult)")
        infant = page.get_by_role("group", name="Passenger 2 (infant)")
        grace = f"Grace {family}"
        tilly = f"Tilly {family}"
        # Was: both offered for both places.
        adult_choices = adult.get_by_label("Saved traveler")
        expect(adult_choices.locator("option", has_text=grace)).to_have_count(1)
        expect(adult_choices.locator("option", has_text=tilly)).to_have_count(0)
        infant_choices = infant.get_by_label("Saved traveler")
        expect(infant_choices.locator("option", has_text=tilly)).to_have_count(1)
        expect(infant_choices.locator("option", has_text=grace)).to_have_count(0)
        expect(infant_choices).to_have_accessible_description(
            re.compile(
                r"^Not offered for this place, as their age does not fit \(under 2 on .*, when"
                rf" the flight leaves\): .*\b{grace}\b"
            )
        )
        infant_choices.select_option(label=f"{tilly} (born {_words(baby_born)})")
        expect(infant.get_by_label("Given name")).to_have_value("Tilly")
        assert_accessible(page)
        infant.scroll_into_view_if_needed()
        screenshot(page, "saved-travelers-by-age")
    finally:
        for answer in created:
            page.request.delete(f"/v1/me/travelers/{answer.json()['id']}", headers=auth)


def _words(day: str) -> str:
    """A birth date as the app writes it (web/src/lib/format.ts dayWords): `1 Jun 2026`."""
    date = dt.date.fromisoformat(day)
    return f"{date.day} {date:%b} {date.year}"
