"""Which unknown addresses get the web app's not-found page rather than the API's 404 problem."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from skyfare.webapp import (
    CLIENT_ROUTES,
    is_page_navigation,
    page_without_trailing_slash,
    prefers_html,
)

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, "text/html", "TEXT/HTML; charset=utf-8"])
def test_a_browsers_navigation_prefers_html(accept: str) -> None:
    assert prefers_html(accept)


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*/*",  # curl, aiohttp, requests
        "application/json",
        "application/problem+json",
        "text/html, application/json",  # a tie goes to the API's answer
        "text/html;q=0.5, application/json;q=0.9",
        "text/html;q=0.5, application/*",
        "text/html;q=0",
        "text/html;q=oops",
        "text/*",
    ],
)
def test_an_api_client_does_not_prefer_html(accept: str) -> None:
    assert not prefers_html(accept)


def test_html_preferred_over_a_less_wanted_json_is_a_navigation() -> None:
    assert prefers_html("application/json;q=0.2, text/html")


@pytest.mark.parametrize("path", ["/nope", "/trips/x/y/z", "/results/extra", "/metricsx", "/v2/x"])
def test_a_browser_sent_to_an_address_outside_the_api_is_a_navigation(path: str) -> None:
    request = make_mocked_request("GET", path, headers={"Accept": CHROME})

    assert is_page_navigation(request)


@pytest.mark.parametrize(
    "path",
    ["/v1", "/v1/nope", "/metrics/x", "/healthz/x", "/readyz/x", "/docs/x", "/assets/x.js",
     "/openapi.json/x"],
)  # fmt: skip
def test_paths_the_api_owns_are_never_a_navigation(path: str) -> None:
    request = make_mocked_request("GET", path, headers={"Accept": CHROME})

    assert not is_page_navigation(request)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_only_get_and_head_navigate(method: str) -> None:
    assert not is_page_navigation(make_mocked_request(method, "/nope", headers={"Accept": CHROME}))
    assert is_page_navigation(make_mocked_request("HEAD", "/nope", headers={"Accept": CHROME}))


def test_every_page_of_the_app_is_found_from_its_path_with_a_trailing_slash() -> None:
    for route in CLIENT_ROUTES:
        page = route.replace("{", "x_").replace("}", "")
        assert page_without_trailing_slash(page + "/") == (page if page != "/" else None), route


@pytest.mark.parametrize(
    "path",
    [
        "/",  # the home page itself
        "/trips",  # no trailing slash: the route matched it
        "/nope/",
        "/trips/x/y/",
        "/offers/",  # an offer page needs its id
        "//",
        "//evil.example/",  # never a redirect off this origin
        "/TRIPS/",
    ],
)
def test_other_paths_are_no_page_with_a_trailing_slash(path: str) -> None:
    assert page_without_trailing_slash(path) is None
