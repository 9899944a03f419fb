"""A family's booking as its infant's parent walks it: an infant's age refused in the words and
dates of the hint beside it (never the API's ISO date), and the infant said to fly on a lap in
the pay step's and the trip's passenger lists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_book import sign_in_as_ada, skip_seats
from tests.browser.test_search_to_offer import _day, assert_accessible, screenshot

pytestmark = pytest.mark.timeout(300)

ON_ADAS_LAP = "Ralph Lovelace (infant, on Ada’s lap)"


def test_an_infant_s_age_is_refused_in_the_hint_s_words_and_they_fly_on_a_lap(
    screen: Page,
) -> None:
    page = screen
    flight_day = dt.date.fromisoformat(_day(54))
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{flight_day}&adults=1&children=0&infants=1"
        "&cabin=economy"
    )
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    page.get_by_role("region", name="Results").get_by_role("button", name="Select").first.click()
    page.get_by_role("link", name="Continue to passengers").click()
    sign_in_as_ada(page)

    adult = page.get_by_role("group", name="Passenger 1 (adult)")
    expect(adult.get_by_label("Given name")).to_have_value("Ada")
    adult.get_by_label("Gender (as on the passport)").select_option("f")
    adult.get_by_label("Date of birth").fill("1990-12-10")
    infant = page.get_by_role("group", name="Passenger 2 (infant)")
    infant.get_by_label("Given name").fill("Ralph")
    infant.get_by_label("Family name").fill("Lovelace")
    infant.get_by_label("Gender (as on the passport)").select_option("m")
    born = infant.get_by_label("Date of birth")
    born.fill(flight_day.replace(year=flight_day.year - 2).isoformat())  # 2 on the day: refused
    page.get_by_role("button", name="Continue to seats").click()

    expect(born).to_have_attribute("aria-invalid", "true")
    # Was: "An infant must be under 2 at departure (2027-01-30); this passenger is 2." beside a
    # hint saying "Sat 30 Jan 2027".
    hint_day = re.compile(r"^Under 2 on (\w{3} \d{1,2} \w{3} \d{4}), when the (last )?flight")
    description = born.evaluate(
        "(input) => input.getAttribute('aria-describedby').split(' ')"
        ".map((id) => document.getElementById(id).textContent)"
    )
    hint, error = description
    said = hint_day.match(hint)
    assert said, hint
    assert error.startswith(f"Must be under 2 on {said.group(1)}, when the"), error
    assert error.endswith(": this passenger is 2 then."), error
    assert not re.search(r"\d{4}-\d\d-\d\d", error), error
    assert_accessible(page)
    born.scroll_into_view_if_needed()
    screenshot(page, "infant-age-refused")

    born.fill(flight_day.replace(year=flight_day.year - 1).isoformat())
    page.get_by_role("button", name="Continue to seats").click()
    skip_seats(page)
    trip = page.get_by_role("region", name="Your trip")
    expect(trip.get_by_role("listitem")).to_have_text(["Ada Lovelace", ON_ADAS_LAP])
    screenshot(page, "pay-step-lap")

    page.get_by_role("button", name="Hold").click()
    expect(page.get_by_role("heading", name="Your seats are on hold")).to_be_visible()
    passengers = page.get_by_role("region", name="Passengers")
    expect(passengers.get_by_role("listitem").filter(has_text="Ralph")).to_have_text(ON_ADAS_LAP)
    passengers.scroll_into_view_if_needed()
    screenshot(page, "trip-lap")
