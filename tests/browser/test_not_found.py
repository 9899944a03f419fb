"""An address the app has no screen for, typed or followed from an old link: the app's own
"Page not found" (served with a 404, skyfare/webapp.py), with the way home; the API's own
addresses keep their problem document."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_search_to_offer import assert_accessible

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize("path", ["/nope", "/trips/x/y/z"])
def test_an_unknown_address_shows_page_not_found_with_a_way_home(screen: Page, path: str) -> None:
    page = screen
    response = page.goto(path)

    assert response is not None
    assert response.status == 404
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    expect(main.get_by_text(path, exact=True)).to_be_visible()
    expect(page).to_have_title("Page not found · Skyfare")
    assert_accessible(page)

    main.get_by_role("link", name="Search flights").click()

    expect(page.get_by_role("heading", level=1, name="Where to next?")).to_be_visible()
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()


def test_an_unknown_api_address_stays_the_apis_problem(screen: Page) -> None:
    response = screen.goto("/v1/nope")

    assert response is not None
    assert response.status == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not found"


def test_a_trip_opened_signed_out_says_to_sign_in_and_one_not_found_is_headed_with_my_trips(
    screen: Page,
) -> None:
    page = screen
    # An id of the right shape that no order has: the API's 404, after a database look-up.
    page.goto("/trips/ord_AAAAAAAAAAAAAAAAAAAAAAAAAA")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1, name="Your trip")).to_be_visible()
    expect(main.get_by_text("Sign in to see this trip.")).to_be_visible()

    sign_in_as_ada(page)

    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("We could not find that flight or trip.")
    expect(main.get_by_role("heading", level=1, name="Your trip")).to_be_visible()
    expect(page).to_have_title("Your trip · Skyfare")
    assert_accessible(page)
    notice.get_by_role("link", name="See my trips").click()
    expect(page.get_by_role("heading", level=1, name="My trips")).to_be_visible()
