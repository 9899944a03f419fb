"""An address the app has no screen for, typed or followed from an old link: the app's own
"Page not found" (served with a 404, skyfare/webapp.py), with the way home; the API's own
addresses keep their problem document."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

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
