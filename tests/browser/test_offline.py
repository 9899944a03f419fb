"""Offline, the app still opens (its service worker caches the shell) and says it is offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.timeout(300)


def test_the_shell_opens_offline_once_seen_and_says_so(screen: Page) -> None:
    page = screen
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Wait until the worker controls the page (it registers on load and claims its clients).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.reload()

    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="You appear to be offline")).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_text("You appear to be offline")).to_have_count(0)
