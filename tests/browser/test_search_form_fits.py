"""The search form's selects show their whole choice on a phone (390 px) and a desktop: a
cabin cut to "Premium econo…" left the traveler guessing which cabin was searched."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_search_to_offer import screenshot

pytestmark = pytest.mark.timeout(120)

# The room a select's text has: its width less its padding, borders and the drop-down arrow
# (Chromium draws the arrow in about 20 px of the right padding's side).
ROOM_FOR_TEXT = """(select) => {
  const style = getComputedStyle(select);
  const probe = document.createElement("span");
  probe.style.font = style.font;
  probe.style.position = "absolute";
  probe.style.whiteSpace = "pre";
  probe.textContent = select.options[select.selectedIndex].text;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  const room = select.clientWidth - padding - 20;
  return { needed, room };
}"""


def test_the_cabin_select_shows_premium_economy_whole(screen: Page) -> None:
    page = screen
    page.goto("/")
    cabin = page.get_by_role("form", name="Search flights").get_by_role("combobox", name="Cabin")
    cabin.select_option("premium_economy")
    expect(cabin).to_have_value("premium_economy")
    cabin.scroll_into_view_if_needed()
    screenshot(page, "search-cabin")
    widths = [None] if page.viewport_name == "phone" else [None, 768]  # type: ignore[attr-defined]
    for width in widths:  # a desktop window as narrow as the four-column layout goes
        if width:
            page.set_viewport_size({"width": width, "height": 900})
        for select in (cabin, page.get_by_role("combobox", name="Prices in")):
            fit = select.evaluate(ROOM_FOR_TEXT)
            assert fit["needed"] <= fit["room"], (width, fit)
