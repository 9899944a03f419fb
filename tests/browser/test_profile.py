"""The traveler's profile, saved travelers and data in the browser: edit the profile (the API's
errors beside the fields, a change made elsewhere meanwhile is a 412 that reloads the form),
save, reveal, edit and delete a companion, export everything, delete the account (refused while
a hold is open, with the way forward; after a sign-in too old for it, a fresh sign-in and the yes
asked again), and book a saved traveler by id."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from urllib.parse import parse_qsl

import asyncpg
import pytest
from playwright.sync_api import APIRequestContext, Locator, Page, Response, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import hold_without_seats, open_an_offer
from tests.browser.test_keyboard import FOCUS_RING
from tests.browser.test_search_preferences import MARY_PASSWORD, sign_up_at_profile
from tests.browser.test_search_to_offer import assert_accessible, screenshot
from tests.browser.test_sign_in import (
    ADA,
    hold_for_ada,
    refresh_refused,
    revocations,
    revoked_after,
    token_for,
)

pytestmark = pytest.mark.timeout(300)

ALAN = ("alan@example.com", "turing-1912")


def unique_family_name() -> str:
    """A name no earlier run saved (names are letters only): this run's travelers are its own."""
    return "Babbage-" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6])


def sign_in_at_profile(page: Page, user: tuple[str, str]) -> None:
    page.goto("/profile")
    expect(page.get_by_text("Sign in to see your profile")).to_be_visible()
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill(user[0])
    form.get_by_label("Password").fill(user[1])
    form.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("form", name="Your profile")).to_be_visible()


def patch_profile(request: APIRequestContext, token: str, patch: dict[str, object]) -> None:
    answer = request.patch(
        "/v1/me",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/merge-patch+json",
        },
        data=json.dumps(patch),
    )
    assert answer.ok, answer.text()


def test_profile_travelers_export_and_erasure(screen: Page, stack: Stack, tmp_path: Path) -> None:
    page = screen
    # A new traveler each time: a seeded one, deleted at the end, would be signed in again by the
    # next viewport's run within seconds of the deletion, which the API refuses (account-erased).
    user = (sign_up_at_profile(page), MARY_PASSWORD)
    profile = page.get_by_role("form", name="Your profile")
    expect(profile.get_by_label("Given name")).to_have_value("Mary")  # from the token's claims
    assert_accessible(page)

    # A bad airport is named beside its field; fixed, the profile saves.
    profile.get_by_label("Home airport").fill("QQQ")
    profile.get_by_label("Seat").select_option("aisle")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_label("Home airport")).to_have_attribute("aria-invalid", "true")
    expect(profile.get_by_role("alert")).to_contain_text("Some details need fixing")
    profile.get_by_label("Home airport").fill("lhr")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("status")).to_have_text("Your profile is saved.")
    expect(profile.get_by_label("Home airport")).to_have_value("LHR")  # as the API answers it

    # Changed elsewhere after this page read it: the save is refused (If-Match), the form reloads.
    # A new value each run: a patch that changes nothing keeps the ETag.
    phone = f"+44207{uuid.uuid4().int % 10**6:06d}"
    patch_profile(page.request, token_for(stack, user), {"phone_number": phone})
    language = profile.get_by_label("Language")
    before = language.input_value()
    language.fill("en-US" if before != "en-US" else "en-GB")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("alert")).to_contain_text("changed elsewhere")
    expect(profile.get_by_role("alert")).to_be_focused()  # was: the body (Save went with the form)
    expect(profile.get_by_label("Phone number")).to_have_value(phone)
    expect(profile.get_by_label("Language")).to_have_value(before)
    screenshot(page, "profile")

    # A companion: a bad country beside its field, then saved with the number masked.
    family = unique_family_name()
    page.get_by_role("button", name="Add a traveler").click()
    new = page.get_by_role("form", name="New traveler")
    new.get_by_label("Given name").fill("Charles")
    new.get_by_label("Family name").fill(family)
    new.get_by_label("Date of birth").fill("1991-12-26")
    new.get_by_label("Gender (as on the passport)").select_option("m")
    new.get_by_label("Travel document").select_option("passport")
    new.get_by_label("Document number").fill("X1234567")
    new.get_by_label("Issuing country").fill("QQ")
    new.get_by_label("Expiry date").fill("2035-01-01")
    new.get_by_role("button", name="Save traveler").click()
    expect(new.get_by_label("Issuing country")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    new.get_by_label("Issuing country").fill("GB")
    new.get_by_role("button", name="Save traveler").click()

    name = f"Charles {family}"
    companion = page.get_by_role("article", name=name)
    expect(companion).to_contain_text("•••••4567")
    expect(companion).not_to_contain_text("X1234567")
    # Dated as the app dates days ("Born 1991-12-26" and "expires 2035-01-01" were the API's).
    expect(companion).to_contain_text("Born 26 Dec 1991")
    expect(companion).to_contain_text("GB, expires 1 Jan 2035")
    companion.get_by_role("button", name=f"Show {name}'s document number").click()
    expect(companion).to_contain_text("X1234567")
    companion.get_by_role("button", name=f"Hide {name}'s document number").click()
    expect(companion).not_to_contain_text("X1234567")
    assert_accessible(page)
    screenshot(page, "travelers")

    # Edit: the number is left blank, so it stays; the new given name shows.
    companion.get_by_role("button", name=f"Edit {name}").click()
    edit = page.get_by_role("form", name=f"Edit {name}")
    expect(edit.get_by_text("Leave blank to keep •••••4567")).to_be_visible()
    edit.get_by_label("Given name").fill("Ada Charles")
    edit.get_by_role("button", name="Save traveler").click()
    renamed = page.get_by_role("article", name=f"Ada Charles {family}")
    expect(renamed).to_contain_text("•••••4567")

    # Delete, confirmed first.
    renamed.get_by_role("button", name=f"Delete Ada Charles {family}").click()
    page.get_by_role("button", name=f"Yes, delete Ada Charles {family}").click()
    expect(page.get_by_role("article", name=f"Ada Charles {family}")).to_have_count(0)

    # Export: said what it holds, confirmed, downloaded.
    page.get_by_role("button", name="Export my data…").click()
    expect(page.get_by_role("group", name="Download your data?")).to_contain_text(
        "document numbers"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    exported = json.loads(saved.read_text())
    assert exported["user"]["profile"]["home_airport"] == "LHR"
    expect(page.get_by_role("status").filter(has_text="downloaded")).to_be_visible()

    # Delete the account: what happens is said first; then what was kept, and sign out.
    page.get_by_role("button", name="Delete my account…").click()
    expect(page.get_by_role("group", name="Delete your account?")).to_contain_text(
        "cannot be undone"
    )
    assert_accessible(page)
    asked_after: list[str] = []
    page.on(
        "request",
        lambda r: asked_after.append(r.url) if r.method == "GET" and "/v1/me" in r.url else None,
    )
    page.get_by_role("button", name="Yes, delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    # Nothing asks for the profile again: GET /v1/me makes one from the token's claims, and the
    # page did, putting the email and names just erased back. Nor is the form left to save.
    page.wait_for_load_state("networkidle")
    assert asked_after == []
    expect(page.get_by_role("button", name="Save profile")).to_have_count(0)
    expect(page.get_by_role("button", name="Add a traveler")).to_have_count(0)
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation").get_by_role("button", name="Sign in")).to_be_visible()


def _is_erasure(response: Response) -> bool:
    return response.request.method == "DELETE" and response.url.endswith("/v1/me")


def _erasures(page: Page) -> list[int]:
    """The statuses of the page's `DELETE /v1/me` answers, as they come."""
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if _is_erasure(r) else None)
    return statuses


def _signed_up_ten_minutes_ago(page: Page, stack: Stack) -> str:
    """A new traveler at their profile, signed in ten minutes ago, no waiting: older than the 5
    minutes erasure allows, and within the 15 minutes the sim's access token lives (half an hour
    ago, it had expired). Their email."""
    stack.identity_clock.behind_s = 600
    try:
        return sign_up_at_profile(page)
    finally:
        stack.identity_clock.behind_s = 0


def _cancel_from(page: Page, link: Locator) -> None:
    """Open the trip a link names, cancel it, and come back to the profile."""
    link.click()
    page.get_by_role("button", name="Cancel this trip…").click()
    page.get_by_role("button", name="Yes, cancel the trip").click()
    expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    page.get_by_role("link", name="Profile").click()


def test_a_trip_on_hold_is_named_as_the_deletion_is_asked_before_any_password(
    screen: Page, stack: Stack
) -> None:
    page = screen
    erasures = _erasures(page)
    email = _signed_up_ten_minutes_ago(page, stack)  # deleting would ask for the password again
    reference = hold_for_ada(stack, page.request, user=(email, MARY_PASSWORD))

    # Was: "Yes, delete my account", then "Sign in again" and the password, and only then
    # "Some of your trips are still in progress", with links all reading "Open this trip…".
    page.get_by_role("button", name="Delete my account…").click()
    asked = page.get_by_role("group", name="Delete your account?")
    expect(asked).to_contain_text("still in progress")
    held = asked.get_by_role("link", name=re.compile(rf"^LHR → JFK on .* \({reference}\)$"))
    expect(held).to_be_visible()
    expect(asked).to_contain_text("on hold, not paid")
    expect(page.get_by_role("button", name="Yes, delete my account")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign in again")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "erase-trips-in-flight")

    # Cancelled, the question offers the yes: nothing was sent to delete on the way.
    _cancel_from(page, held)
    page.get_by_role("button", name="Delete my account…").click()
    expect(page.get_by_role("button", name="Yes, delete my account")).to_be_visible()
    assert erasures == []


def test_a_trip_held_after_the_question_opened_keeps_the_account_and_is_named(
    screen: Page, stack: Stack
) -> None:
    page = screen
    email = sign_up_at_profile(page)
    page.get_by_role("button", name="Delete my account…").click()
    yes = page.get_by_role("button", name="Yes, delete my account")
    expect(yes).to_be_visible()  # no trip in flight when it opened
    reference = hold_for_ada(stack, page.request, user=(email, MARY_PASSWORD))  # another tab

    yes.click()
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("still in progress")
    expect(refused).to_contain_text("Cancel the trips on hold")
    # Focused, with the app's focus ring (was none: focused by the app, after a click).
    expect(refused).to_be_focused()
    assert refused.evaluate(FOCUS_RING) == ["solid", "3px", "rgb(217, 72, 15)", "2px"]
    # Named by its booking reference (was "Open this trip to cancel it", the same for each).
    held = refused.get_by_role("link", name=re.compile(rf"\({reference}\)$"))
    expect(held).to_be_visible()
    assert_accessible(page)
    screenshot(page, "erase-refused")

    _cancel_from(page, held)
    page.get_by_role("button", name="Delete my account…").click()
    page.get_by_role("button", name="Yes, delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()


def test_an_old_sign_in_signs_in_again_and_the_deletion_is_confirmed_once_more(
    screen: Page, stack: Stack
) -> None:
    page = screen
    erasures = _erasures(page)
    email = _signed_up_ten_minutes_ago(page, stack)
    expect(page.get_by_role("form", name="Your profile")).to_be_visible()

    # Too old a sign-in for deleting: said in words, with the way forward.
    page.get_by_role("button", name="Delete my account…").click()
    with page.expect_response(_is_erasure) as refusal:
        page.get_by_role("button", name="Yes, delete my account").click()
    assert refusal.value.status == 401
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("this needs a fresh sign-in")
    assert_accessible(page)
    # Leaving for the provider ends the sign-in it replaces (its refresh token is revoked).
    before = revocations(stack)
    with page.expect_request(re.compile(r"/identity/revoke$")) as replaced:
        refused.get_by_role("button", name="Sign in again").click()

    # The provider asks for the password again, the email filled in.
    expect(page.get_by_text("sign in again, to confirm it is you")).to_be_visible()
    form = page.get_by_role("form", name="Sign in")
    expect(form.get_by_label("Email")).to_have_value(email)
    form.get_by_label("Password").fill(MARY_PASSWORD)
    form.get_by_role("button", name="Sign in").click()

    # Back on the profile, nothing deleted yet: the yes is asked once more.
    expect(page).to_have_url(re.compile(r"/profile$"))
    revoked = dict(parse_qsl(replaced.value.post_data or ""))
    assert revoked_after(stack, before)  # sent as the page left: no response to wait on
    assert refresh_refused(page, stack, revoked["token"], revoked["client_id"])
    asked = page.get_by_role("group", name="Delete your account?")
    expect(asked).to_contain_text("You signed in again")
    expect(asked).to_be_focused()  # at the foot of the page: brought into view, not hidden below
    expect(asked).to_be_in_viewport()
    assert_accessible(page)
    screenshot(page, "erase-signed-in-again")
    with page.expect_response(_is_erasure) as erasure:
        asked.get_by_role("button", name="Yes, delete my account").click()
    assert erasure.value.status == 200
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    assert erasures == [401, 200]  # no deletion on the way back, unasked


def test_a_saved_traveler_is_booked_by_id_and_the_profile_prefills_the_contact(
    screen: Page, stack: Stack
) -> None:
    page = screen
    token = token_for(stack, ADA)
    auth = {"Authorization": f"Bearer {token}"}
    patch_profile(page.request, token, {"phone_number": "+442071838750"})
    family = unique_family_name()
    created = page.request.post(
        "/v1/me/travelers",
        headers=auth,
        data={
            "given_name": "Charles",
            "family_name": family,
            "born_on": "1991-12-26",
            "gender": "m",
        },
    )
    assert created.status == 201, created.text()
    try:
        open_an_offer(page)
        page.get_by_role("link", name="Continue to passengers").click()
        page.get_by_role("main").get_by_role("button", name="Sign in").click()
        form = page.get_by_role("form", name="Sign in")
        form.get_by_label("Email").fill(ADA[0])
        form.get_by_label("Password").fill(ADA[1])
        form.get_by_role("button", name="Sign in").click()

        expect(page.get_by_label("Given name")).to_have_value("Ada")  # from the profile
        expect(page.get_by_label("Phone number (optional, +44…)")).to_have_value("+442071838750")
        page.get_by_label("Saved traveler").select_option(
            label=f"Charles {family} (born 26 Dec 1991)"
        )
        expect(page.get_by_label("Family name")).to_have_value(family)
        expect(page.get_by_label("Family name")).to_have_attribute("readonly", "")
        assert_accessible(page)
        screenshot(page, "passengers-saved-traveler")
        hold_without_seats(page)
        passengers = page.get_by_role("region", name="Passengers")
        expect(passengers).to_contain_text(f"Charles {family}")
        page.get_by_role("button", name="Cancel this trip…").click()
        page.get_by_role("button", name="Yes, cancel the trip").click()
        expect(page.get_by_role("heading", name="This trip is cancelled")).to_be_visible()
    finally:
        page.request.delete(f"/v1/me/travelers/{created.json()['id']}", headers=auth)


def _top(field: Locator) -> float:
    box = field.bounding_box()
    assert box is not None
    return box["y"]


def test_a_field_s_hint_does_not_push_its_input_below_its_neighbour_s(screen: Page) -> None:
    page = screen
    sign_in_at_profile(page, ALAN)
    profile = page.get_by_role("form", name="Your profile")

    def textbox(name: str) -> Locator:
        return profile.get_by_role("textbox", name=name, exact=True)

    # Side by side on a desktop, one of each pair with a hint ("As on your passport").
    pairs = [
        (textbox("Given name"), textbox("Family name")),
        (textbox("Email"), textbox("Phone number")),
        (textbox("Home airport"), profile.get_by_role("combobox", name="Cabin")),
    ]
    # An error under one of a pair keeps them level too.
    textbox("Home airport").fill("QQQ")
    profile.get_by_role("button", name="Save profile").click()
    expect(textbox("Home airport")).to_have_attribute("aria-invalid", "true")
    for first, second in pairs:
        labels = [profile.locator(f'label[for="{c.get_attribute("id")}"]') for c in (first, second)]
        if page.viewport_name == "desktop":  # type: ignore[attr-defined]
            # side by side: the controls level, and their labels
            assert _top(first) == _top(second), first
            assert _top(labels[0]) == _top(labels[1]), first
        else:  # one column on a phone: each below the one before
            assert _top(labels[0]) < _top(first) < _top(labels[1]) < _top(second), first
    screenshot(page, "profile-aligned")


def _store_currency_as_before(stack: Stack, database_url: str, email: str, code: str) -> None:
    """A profile's currency as an earlier version took it (any ISO 4217 code): written straight
    into its row, as the API no longer takes it."""

    async def run() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(
                "UPDATE users SET preferences = preferences"
                " || jsonb_build_object('currency', $2::text) WHERE lower(email) = lower($1)",
                email, code,
            )  # fmt: skip
        finally:
            await connection.close()

    stack.run(run())


def test_the_currency_is_chosen_by_name_and_one_saved_before_is_shown_and_kept(
    screen: Page, stack: Stack, database_url: str
) -> None:
    page = screen
    email = sign_up_at_profile(page)
    profile = page.get_by_role("form", name="Your profile")
    currency = profile.get_by_role("combobox", name="Currency")
    expect(currency.get_by_role("option")).to_have_text(
        ["No preference", "British pound (GBP)", "Euro (EUR)", "US dollar (USD)"]
    )

    # Saved when any code was taken: shown as saved and marked, not changed by saving another field.
    _store_currency_as_before(stack, database_url, email, "JPY")
    sign_in_at_profile(page, (email, MARY_PASSWORD))  # the page read anew
    expect(currency).to_have_value("JPY")
    expect(currency.locator("option:checked")).to_have_text(
        "Japanese Yen (JPY): not used for prices"
    )
    expect(currency).to_have_accessible_description(
        re.compile(r"^Prices are not shown in this one")
    )
    assert_accessible(page)
    screenshot(page, "profile-currency-saved-before")
    profile.get_by_label("Phone number").fill("+442071838750")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("status")).to_have_text("Your profile is saved.")
    sign_in_at_profile(page, (email, MARY_PASSWORD))
    expect(profile.get_by_label("Phone number")).to_have_value("+442071838750")
    expect(currency).to_have_value("JPY")

    # Another chosen, the old one is no longer offered.
    currency.select_option(label="Euro (EUR)")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("status")).to_have_text("Your profile is saved.")
    expect(currency).to_have_value("EUR")
    expect(currency.get_by_role("option")).to_have_count(4)
