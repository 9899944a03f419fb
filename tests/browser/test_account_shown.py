"""Just after signing up, the app says whose account is signed in, from the token's claims, on a
phone as on a desktop: before, a phone's header hid its greeting and the Profile page said
nothing until the profile had loaded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.held import held_back, until_held
from tests.browser.test_search_preferences import sign_up_at_profile
from tests.browser.test_search_to_offer import assert_accessible, screenshot

pytestmark = pytest.mark.timeout(120)


def test_a_new_account_is_named_at_once_in_the_header_and_on_the_profile(screen: Page) -> None:
    page = screen
    # The profile's answer held back: what is said meanwhile comes from the token alone.
    held = held_back(page, re.compile(r"/v1/me$"))
    email = sign_up_at_profile(page)

    expect(page.get_by_text("Loading your profile…")).to_be_visible()
    expect(page.get_by_role("banner").get_by_text("Hi, Mary")).to_be_visible()
    expect(page.get_by_text(f"Signed in as Mary Jackson ({email})")).to_be_visible()
    until_held(page, held)  # the profile was asked for, and is not yet answered
    # The greeting's own line on a phone leaves the links as they were: none runs off the screen.
    width = page.viewport_size["width"] if page.viewport_size else 0
    for link in page.get_by_role("banner").get_by_role("link").all():
        box = link.bounding_box()
        assert box
        assert box["x"] + box["width"] <= width, link.inner_text()
    assert_accessible(page)
    screenshot(page, "signed-up-account")

    for route in held:
        route.continue_()
    page.unroute(re.compile(r"/v1/me$"))
    expect(page.get_by_label("Given name")).to_have_value("Mary")
