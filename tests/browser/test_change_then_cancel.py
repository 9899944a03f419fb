"""A trip whose flight was changed, then cancelled: its page heads it cancelled and no longer
boxes "Your flight was changed" under that heading (read as news of a trip to fly); the change
stays in the trip's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_change_trip import _changing
from tests.browser.test_search_to_offer import assert_accessible, screenshot

pytestmark = pytest.mark.timeout(300)


def test_a_changed_then_cancelled_trip_keeps_the_change_in_its_history_only(
    screen: Page, stack: Stack
) -> None:
    page = screen
    _, confirming = _changing(page, stack, 97, 27)
    confirming.get_by_role("button", name="Confirm change").click()
    changed = page.get_by_role("status").filter(has_text="Your flight was changed")
    expect(changed).to_be_visible()  # on the trip still to fly

    page.get_by_role("button", name="Cancel this trip…").click()
    cancelling = page.get_by_role("region", name="Cancel this trip")
    expect(cancelling.get_by_text("Quote valid until")).to_be_visible()
    cancelling.get_by_role("button", name="Yes, cancel the trip").click()

    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    expect(page.get_by_text("Your flight was changed.")).to_have_count(0)
    history = page.get_by_role("region", name="Trip history").get_by_role("listitem")
    expect(history.filter(has_text="Flight changed")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("heading", name="This trip is cancelled").scroll_into_view_if_needed()
    screenshot(page, "changed-then-cancelled")
