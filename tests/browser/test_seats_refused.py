"""A seat choice the API refuses for a reason of its own, in the browser against the real stack:
the trip's payment started (in another tab) while Change seats was open on the hold. The refusal
is told in our words by the 409's `refusal` (`payment_in_progress`), with what to do next, never
in the API's sentence ("seats can be chosen on a held or confirmed order, not one held with
payment processing")."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.test_sign_in import ADA, token_for
from tests.browser.trips import SEATLESS_AIRLINE, held_trip
from tests.support.payment_sim import payments_control

pytestmark = pytest.mark.timeout(300)

# A seat free to choose: other tests of the suite take seats on these flights too.
SEAT = re.compile(r"^Seat \d+[A-K], (?!.*, taken$)")
# Long enough for the refusal to be asked and shown while the payment is still being taken;
# the gateway's pace for the other tests (tests/browser/conftest.py) comes back after.
SLOW_MS = 15_000
USUAL_MS = 300


def _set_slow_card(stack: Stack, slow_ms: int) -> None:
    async def run() -> None:
        async with payments_control(stack.sim_url) as gateway:
            await gateway.set_timing(settle_ms=5, slow_ms=slow_ms)

    stack.run(run())


def test_seats_refused_while_the_hold_is_being_paid_say_to_wait_for_the_payment(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order = held_trip(stack, page.request, days_ahead=49, avoid_airline=SEATLESS_AIRLINE)
    page.goto(f"/trips/{order['id']}")
    sign_in_as_ada(page)
    page.get_by_role("link", name="Change seats").click()
    expect(page.get_by_role("heading", name="Change seats")).to_be_visible()
    page.get_by_role("table").first.get_by_role("button", name=SEAT).first.click()

    _set_slow_card(stack, SLOW_MS)
    try:
        paying = page.request.post(
            f"/v1/orders/{order['id']}/payments",
            headers={"Authorization": f"Bearer {token_for(stack, ADA)}",
                     "Idempotency-Key": str(uuid.uuid4())},
            data={"card_token": "tok_slow"},
        )  # fmt: skip
        assert paying.status == 202, paying.text()
        page.get_by_role("button", name="Save seats").click()
        refused = page.get_by_role("alert")
        expect(refused).to_contain_text(
            "Your payment for this trip is still being taken, so seats cannot be chosen just now."
        )
        expect(refused).to_contain_text("Once the payment has gone through, choose seats")
        expect(refused).not_to_contain_text("held or confirmed order")
        expect(refused).not_to_contain_text("processing")
        assert_accessible(page)
        screenshot(page, "seats-refused-payment-in-progress")
    finally:
        _set_slow_card(stack, USUAL_MS)
