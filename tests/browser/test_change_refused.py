"""A flight change the airline refuses at the last step, in the browser against the real stack:
told in our words chosen by the API's `failure_code`, with the next step, on the confirmation
and back on the trip; never the API's own sentence ("the airline refused to change the flights:
…", our English for people)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import _changing
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.trips import fare_gone

pytestmark = pytest.mark.timeout(300)

REFUSED = "The airline did not accept it: the flight may have sold out, or its fare changed"


def test_a_change_the_airline_refuses_is_told_in_words_with_a_new_search(
    screen: Page, stack: Stack, database_url: str
) -> None:
    page = screen
    order_id, confirming = _changing(page, stack, 95, 25)
    fare_gone(stack, database_url, order_id)
    confirming.get_by_role("button", name="Confirm change").click()

    refused = confirming.get_by_role("alert")
    expect(refused).to_contain_text(f"Your flight was not changed. {REFUSED}")
    expect(refused).to_contain_text("Your trip keeps its flights and nothing was charged.")
    expect(refused).to_contain_text("Search again for current flights and prices.")
    expect(refused).not_to_contain_text("refused to change the flights")
    assert_accessible(page)
    screenshot(page, "change-airline-refused")
    expect(confirming.get_by_role("button", name="Search again")).to_be_visible()

    confirming.get_by_role("button", name="Back to the flights").click()
    page.get_by_role("button", name="Keep my flight").click()
    notice = page.get_by_role("status").filter(has_text="Your last flight change was not made.")
    expect(notice).to_contain_text(REFUSED)
    expect(notice).not_to_contain_text("refused to change the flights")
    expect(notice).not_to_contain_text("for support")
    # The history's step says it in the same words, chosen by the step's failure_code: it
    # showed the API's note ("The airline refused to change the flights: …").
    history = page.get_by_role("region", name="Trip history")
    failed = history.get_by_role("listitem").filter(has_text="Flight change not made")
    expect(failed.locator(".timeline-reason")).to_have_text(
        f"{REFUSED} since it was offered. Your trip keeps its flights and nothing was charged."
    )
    expect(failed).not_to_contain_text("refused to change the flights")
    assert_accessible(page)
    failed.scroll_into_view_if_needed()
    screenshot(page, "trip-history-change-refused")
