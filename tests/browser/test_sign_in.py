"""A traveler signs in with the identity provider (code + PKCE) from the app and back, sees
their trips, and signs out: tokens live in the page's memory only."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import APIRequestContext, Locator, Page, Route, expect

from tests.browser.conftest import Stack
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.support.tokens import identity_state, set_jwks_behaviour, sign_in
from tests.support.waits import WAIT_S

ADA = ("ada@example.com", "lovelace-1815")

pytestmark = pytest.mark.timeout(300)


def token_for(stack: Stack, user: tuple[str, str]) -> str:
    """An access token of `user` (email, password), signed in through the app's own flow."""
    tokens = stack.run(sign_in(stack.sim_url, *user, redirect_uri=f"{stack.url}/auth/callback"))
    return tokens.access_token


def hold_for_ada(stack: Stack, request: APIRequestContext, user: tuple[str, str] = ADA) -> str:
    """A hold booked through the API as Ada (or `user`): its reference."""
    access_token = token_for(stack, user)
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=45)).isoformat()
    search = request.get(f"/v1/search?origin=LHR&destination=JFK&departure_date={day}&cache=false")
    assert search.ok, search.text()
    passenger = {"type": "adult", "given_name": "Ada", "family_name": "Lovelace",
                 "born_on": "1990-12-10", "gender": "f", "email": user[0],
                 "phone_number": "+442071838750"}  # fmt: skip
    for offer in search.json()["offers"][:5]:  # a re-priced or sold-out offer: the next one
        order = request.post(
            "/v1/orders",
            headers={"Authorization": f"Bearer {access_token}",
                     "Idempotency-Key": str(uuid.uuid4())},
            data={"offer_id": offer["id"], "type": "hold", "passengers": [passenger]},
        )  # fmt: skip
        if order.status == 201:
            reference: str = order.json()["booking_reference"]
            return reference
    raise AssertionError("no offer could be held")


def revocations(stack: Stack) -> int:
    """How many revocation requests the sim has answered 200."""
    count: int = stack.run(identity_state(stack.sim_url))["revocations"]
    return count


def revoked_after(stack: Stack, before: int) -> bool:
    """Whether a revocation beyond the `before` first is answered within WAIT_S: one sent as the
    page left for the provider (keepalive) has no response the page can wait on."""
    deadline = time.monotonic() + WAIT_S
    while revocations(stack) <= before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def refresh_refused(page: Page, stack: Stack, refresh_token: str, client_id: str) -> bool:
    """Whether the provider refuses `refresh_token` (`invalid_grant`). Asked once, of a token
    whose revocation has been answered: a live one would be rotated by the asking, and asking
    again with it would be refused for its reuse, whether revoked before or not."""
    refreshed = page.request.post(
        f"{stack.sim_url}/identity/token",
        form={"grant_type": "refresh_token", "refresh_token": refresh_token,
              "client_id": client_id},
    )  # fmt: skip
    return refreshed.status == 400 and refreshed.json()["error"] == "invalid_grant"


def test_signing_in_returns_to_my_trips_and_signing_out_forgets_the_traveler(
    screen: Page, stack: Stack
) -> None:
    page = screen
    reference = hold_for_ada(stack, page.request)
    page.goto("/trips")
    expect(page.get_by_text("Sign in to see your trips")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in to Skyfare")).to_be_visible()
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill("ada@example.com")
    form.get_by_label("Password").fill("lovelace-1815")
    form.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/trips$"))
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()
    # Who is signed in, on a phone too (a line of its own under the links there).
    expect(page.get_by_role("banner").get_by_text("Hi, Ada")).to_be_visible()
    expect(page.get_by_role("heading", name="My trips")).to_be_visible()
    trip = page.get_by_role("list", name="Trips").get_by_role("listitem").filter(has_text=reference)
    expect(trip.first).to_contain_text("Booking reference")
    expect(trip.first).to_contain_text("On hold")
    assert_accessible(page)
    screenshot(page, "trips")
    # Nothing about the session is stored where a later script could read it.
    stored = page.evaluate(
        "() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"
    )
    assert "ey" not in stored  # no JWT (they start with "ey")

    # Signing out ends the refresh token at the provider too (RFC 7009): a copy of it taken
    # before gets no new access token.
    with page.expect_response(re.compile(r"/identity/revoke$")) as revoked:
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Sign in to see your trips")).to_be_visible()
    expect(page.get_by_text("Hi, Ada")).to_have_count(0)
    assert revoked.value.status == 200
    form = dict(parse_qsl(revoked.value.request.post_data or ""))
    assert form["token_type_hint"] == "refresh_token"
    assert refresh_refused(page, stack, form["token"], form["client_id"])


def test_a_callback_without_a_sign_in_of_ours_is_refused(screen: Page) -> None:
    page = screen
    page.goto("/auth/callback?code=forged&state=forged")

    expect(page.get_by_role("alert")).to_contain_text("not the one we started")
    expect(page.get_by_text("Hi, ")).to_have_count(0)


def _sign_in_as_ada(where: Locator) -> None:
    """Ada through the provider's sign-in form, from the Sign in button `where` holds."""
    where.get_by_role("button", name="Sign in").click()
    form = where.page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill(ADA[0])
    form.get_by_label("Password").fill(ADA[1])
    form.get_by_role("button", name="Sign in").click()


def _forged(id_token: str) -> str:
    """`id_token` with its payload changed after signing: another given name, same signature."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["given_name"] = "Mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_an_id_token_changed_on_its_way_is_refused_and_no_one_is_signed_in(screen: Page) -> None:
    page = screen

    def tamper(route: Route) -> None:
        # The provider's real answer, its ID token altered in transit (as an attacker would).
        response = route.fetch()
        tokens = response.json()
        tokens["id_token"] = _forged(tokens["id_token"])
        route.fulfill(response=response, json=tokens)

    page.route(re.compile(r"/identity/token$"), tamper)
    page.goto("/trips")
    _sign_in_as_ada(page.get_by_role("main"))

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "The sign-in answer could not be verified: its signature does not match."
    )
    expect(page.get_by_text("Hi, ")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "sign-in-refused")

    # Untouched, the same provider's answer signs Ada in.
    page.unroute(re.compile(r"/identity/token$"))
    _sign_in_as_ada(alert)
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()


def test_a_sign_in_is_refused_while_the_providers_keys_cannot_be_fetched(
    screen: Page, stack: Stack
) -> None:
    page = screen
    page.goto("/trips")
    stack.run(set_jwks_behaviour(stack.sim_url, "error"))
    try:
        _sign_in_as_ada(page.get_by_role("main"))
        expect(page.get_by_role("alert")).to_contain_text(
            "The sign-in service's keys cannot be reached"
        )
        expect(page.get_by_text("Hi, ")).to_have_count(0)
    finally:
        stack.run(set_jwks_behaviour(stack.sim_url, "ok"))


def test_back_to_results_after_signing_in_on_an_offer_returns_to_the_results(screen: Page) -> None:
    # It was the browser's Back: after signing in from the offer, that was the identity
    # provider's sign-in form; an offer opened from a shared link went back out of the app.
    page = screen
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=33)).isoformat()
    results = f"/results?trip=one-way&leg=LHR.JFK.{day}&adults=1&children=0&infants=0&cabin=economy"
    page.goto(results)
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    page.get_by_role("region", name="Results").get_by_role("button", name="Select").first.click()
    expect(page.get_by_text("Price confirmed")).to_be_visible()
    offer = page.url
    page.get_by_role("banner").get_by_role("button", name="Sign in").click()
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill(ADA[0])
    form.get_by_label("Password").fill(ADA[1])
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Price confirmed")).to_be_visible()

    page.get_by_text("Back to results", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(results) + "$"))
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()

    shared = page.context.new_page()  # a new tab: no results searched in it
    shared.goto(offer)
    expect(shared.get_by_text("Price confirmed")).to_be_visible()
    expect(shared.get_by_text("Back to results", exact=True)).to_have_count(0)
    shared.get_by_role("link", name="Search flights").click()
    expect(shared.get_by_role("heading", name="Where to next?")).to_be_visible()
