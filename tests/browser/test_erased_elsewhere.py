"""A tab still signed in when the account is deleted in another: its next profile read is
refused (`401 account-erased`), and the tab signs out and says the account was deleted, rather
than make the profile again from its token."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.test_profile import sign_in_at_profile
from tests.browser.test_search_preferences import MARY_PASSWORD, sign_up_at_profile
from tests.browser.test_search_to_offer import assert_accessible

pytestmark = pytest.mark.timeout(300)


def _profile_read(response: Response) -> bool:
    return response.request.method == "GET" and response.url.endswith("/v1/me")


def test_a_tab_signed_in_before_the_account_was_deleted_elsewhere_is_signed_out(
    screen: Page,
) -> None:
    other = screen  # signed in first: its sign-in predates the deletion
    email = sign_up_at_profile(other)
    expect(other.get_by_role("form", name="Your profile")).to_be_visible()
    erasing = other.context.new_page()
    sign_in_at_profile(erasing, (email, MARY_PASSWORD))
    erasing.get_by_role("button", name="Delete my account…").click()
    erasing.get_by_role("button", name="Yes, delete my account").click()
    expect(erasing.get_by_role("heading", name="Your account is deleted")).to_be_visible()

    # The other tab goes on to search, which reads the profile (its travel preferences).
    with other.expect_response(_profile_read) as read:
        other.get_by_role("navigation").get_by_role("link", name="Search").click()

    assert read.value.status == 401
    notice = other.get_by_role("alert").filter(has_text="This account was deleted")
    expect(notice).to_contain_text("Sign in to start again with a new, empty profile")
    expect(notice.get_by_role("button", name="Sign in to start again")).to_be_visible()
    expect(other.get_by_role("navigation").get_by_role("button", name="Sign in")).to_be_visible()
    expect(other.get_by_role("navigation").get_by_role("link", name="Profile")).to_have_count(0)
    # In the screen's column, not across the window (it ran edge to edge).
    notice_box = notice.bounding_box()
    heading_box = other.get_by_role("main").get_by_role("heading", level=1).bounding_box()
    assert notice_box is not None
    assert heading_box is not None
    assert abs(notice_box["x"] - heading_box["x"]) < 1
    assert_accessible(other)
