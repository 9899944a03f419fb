"""A signed-in tab whose access token the API refuses while the sign-in itself is still good:
the identity provider retired the key that signed it (the same `401 unauthorized` a token
expired during a laptop's sleep gets). The app renews the token and sends the call again, and
the traveler sees the screen, not "Please sign in"; when the provider will not renew, the tab
signs out and says the sign-in ended; when it does not answer, the tab stays signed in, says so,
and goes on once the provider is back."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import Stack
from tests.browser.test_search_preferences import sign_up_at_profile
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.support.tokens import mint_token, rotate_keys, set_token_behaviour

pytestmark = pytest.mark.timeout(300)

# The API asks the provider for its keys again at most every 5 s (skyfare/auth/jwks.py): tries
# of a token signed with the new key, until it is taken. Not a measure of time.
LEARN_TRIES = 240
A_MONTH_S = 31 * 86400.0


def _retire_the_signing_key(page: Page, stack: Stack) -> None:
    """The provider signs with a new key and no longer publishes the old one; returns once the
    API knows it (so the tab's token, signed with the old one, is refused)."""
    stack.run(rotate_keys(stack.sim_url, retire_old=True))
    probe = stack.run(mint_token(stack.sim_url, "renewal-probe"))
    for _ in range(LEARN_TRIES):
        answer = page.request.get("/v1/orders", headers={"Authorization": f"Bearer {probe}"})
        if answer.ok:
            return
        time.sleep(0.25)
    pytest.fail("the API never took a token signed with the provider's new key")


@pytest.fixture
def refusals(screen: Page, stack: Stack) -> list[Response]:
    """A new traveler signed in on `screen`, whose token the API now refuses; the API's 401s to
    the tab from then on, as they come."""
    sign_up_at_profile(screen)
    # The profile screen's reads done first: one still on its way when the key is retired would
    # meet the refusal (and the renewal) before the test's own call does.
    expect(screen.get_by_role("form", name="Your profile")).to_be_visible()
    expect(screen.get_by_text("No saved travelers yet.")).to_be_visible()
    seen: list[Response] = []
    screen.on("response", lambda r: seen.append(r) if r.status == 401 else None)
    _retire_the_signing_key(screen, stack)
    return seen


def test_a_refused_token_is_renewed_and_the_screen_goes_on(
    screen: Page, refusals: list[Response]
) -> None:
    page = screen
    with page.expect_response(lambda r: "/v1/orders" in r.url and r.ok) as trips:
        page.get_by_role("link", name="My trips").click()

    refused = {r.request.headers.get("authorization") for r in refusals}
    assert refused, "the tab's token was never refused"
    assert trips.value.request.headers["authorization"] not in refused  # renewed
    expect(page.get_by_role("heading", level=1, name="My trips")).to_be_visible()
    expect(page.get_by_text("No trips yet. Search for a flight to book one.")).to_be_visible()
    expect(page.get_by_text("Please sign in to continue.")).to_have_count(0)
    expect(page.get_by_role("navigation").get_by_role("link", name="Profile")).to_be_visible()
    assert_accessible(page)


def test_a_tab_whose_sign_in_will_not_be_renewed_signs_out_and_says_so(
    screen: Page, stack: Stack, refusals: list[Response]
) -> None:
    page = screen
    stack.identity_clock.behind_s = -A_MONTH_S  # the provider a month on: its refresh expired
    try:
        page.get_by_role("link", name="My trips").click()
        notice = page.get_by_role("alert").filter(has_text="Your sign-in has ended")
        expect(notice).to_contain_text("Sign in again to go on where you were.")
    finally:
        stack.identity_clock.behind_s = 0.0

    assert refusals, "the tab's token was never refused"
    expect(notice.get_by_role("button", name="Sign in again")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Profile")).to_have_count(0)
    assert_accessible(page)


def test_a_renewal_the_provider_does_not_answer_keeps_the_tab_signed_in_until_it_is_back(
    screen: Page, stack: Stack, refusals: list[Response]
) -> None:
    page = screen
    stack.run(set_token_behaviour(stack.sim_url, "error"))
    try:
        page.get_by_role("link", name="My trips").click()
        notice = page.get_by_role("alert").filter(has_text="We could not renew your sign-in")
        expect(notice).to_contain_text("You are still signed in: try again in a moment.")
        expect(page.get_by_text("Please sign in to continue.")).to_have_count(0)
        expect(page.get_by_role("navigation").get_by_role("link", name="Profile")).to_be_visible()
        assert_accessible(page)
        screenshot(page, "sign-in-unreachable")
    finally:
        stack.run(set_token_behaviour(stack.sim_url, "ok"))

    with page.expect_response(lambda r: "/v1/orders" in r.url and r.ok):
        notice.get_by_role("button", name="Try again").click()
    assert refusals, "the tab's token was never refused"
    expect(page.get_by_text("No trips yet. Search for a flight to book one.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
