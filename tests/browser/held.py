"""Requests held back by the test: a route that answers only when the test continues it.

A route's handler runs in the test's thread only while Playwright waits on something, so a
request the page has sent may not be in the list yet when the page already shows it is waiting
(a button turns busy before its request leaves). `until_held` waits for it, as `expect` does."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route

from tests.browser.conftest import TIMEOUT_MS

_POLL_MS = 50


def held_back(
    page: Page, url: str | re.Pattern[str], *, methods: set[str] | None = None
) -> list[Route]:
    """The requests to `url` from now on (those of `methods`, when given; the rest go through),
    each waiting until the test continues it (and `page.unroute(url)` lets the rest through)."""
    waiting: list[Route] = []

    def hold(route: Route) -> None:
        if methods is None or route.request.method in methods:
            waiting.append(route)
        else:
            route.continue_()

    page.route(url, hold)
    return waiting


def until_held(page: Page, waiting: list[Route], count: int = 1) -> None:
    """Returns once `count` requests are held; fails if they never come."""
    for _ in range(TIMEOUT_MS // _POLL_MS):  # as long as `expect` waits
        if len(waiting) >= count:
            return
        page.wait_for_timeout(_POLL_MS)
    raise AssertionError(f"{count} request(s) expected to be held, {len(waiting)} came")
