"""My trips a page at a time, with the keyboard: "Show older trips" leaves the focus on the first
trip it added (it is disabled while it loads and gone after the last page, and the focus fell to
the page's body with it)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_search_preferences import MARY_PASSWORD, sign_up_at_profile
from tests.browser.test_search_to_offer import screenshot
from tests.browser.test_sign_in import token_for
from tests.browser.trips import day

pytestmark = pytest.mark.timeout(300)

PAGE = 10  # web/src/features/trips/api/orders.ts


def test_show_older_trips_leaves_the_focus_on_the_first_older_trip(
    screen: Page, stack: Stack
) -> None:
    page = screen
    email = sign_up_at_profile(page)  # a new traveler: exactly the trips made here
    headers = {"Authorization": f"Bearer {token_for(stack, (email, MARY_PASSWORD))}"}
    passenger = {"type": "adult", "given_name": "Mary", "family_name": "Jackson",
                 "born_on": "1921-04-09", "gender": "f", "email": email}  # fmt: skip
    references: list[str] = []
    for days_ahead in range(47, 57):  # a day's offers that could be held, then the next day's
        search = page.request.get(
            f"/v1/search?origin=LHR&destination=JFK&departure_date={day(days_ahead)}&limit=50"
        )
        assert search.ok, search.text()
        for offer in search.json()["offers"]:  # a re-priced or sold-out offer: the next one
            if len(references) == PAGE + 1:
                break
            order = page.request.post(
                "/v1/orders",
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                data={"offer_id": offer["id"], "type": "hold", "passengers": [passenger]},
            )
            if order.status == 201:
                references.append(order.json()["booking_reference"])
    assert len(references) == PAGE + 1, "not enough offers could be held"

    page.get_by_role("banner").get_by_role("link", name="My trips").click()
    trips = page.get_by_role("list", name="Trips").get_by_role("article")
    expect(trips).to_have_count(PAGE)
    page.get_by_role("button", name="Show older trips").press("Enter")
    expect(trips).to_have_count(PAGE + 1)
    oldest = page.get_by_role("article", name=f"Trip {references[0]}")
    expect(oldest.get_by_role("link")).to_be_focused()
    expect(page.get_by_role("button", name="Show older trips")).to_have_count(0)
    screenshot(page, "trips-older")
