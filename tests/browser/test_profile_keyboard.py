"""The profile with the keyboard only, as a screen reader meets it: a saved traveler's form opened
takes the focus and gives it back to the button that opened it, a refused one puts it on the
first field refused, the delete question takes it and a deletion leaves it on the list's heading;
what was saved, deleted, shown or downloaded is read out. Focus fell to the page's body at every
one of these steps. A gender left at "Choose…" and a document declined ("No document") are not
saved as if chosen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS, VIEWPORTS
from tests.browser.test_search_preferences import sign_up_at_profile
from tests.browser.test_search_to_offer import LIVE_REGION_OF, assert_accessible, screenshot

pytestmark = pytest.mark.timeout(300)

NAME = "Zoë O'Brien-Núñez"  # accents, an apostrophe and a hyphen: as the passport prints them


def test_saved_travelers_keep_the_focus_on_what_was_pressed_or_opened(screen: Page) -> None:
    page = screen
    sign_up_at_profile(page)
    section = page.get_by_role("region", name="Saved travelers")
    add = section.get_by_role("button", name="Add a traveler")

    add.press("Enter")
    new = page.get_by_role("form", name="New traveler")
    expect(new.get_by_role("heading", name="New traveler")).to_be_focused()
    page.keyboard.press("Tab")
    expect(new.get_by_label("Given name")).to_be_focused()
    new.get_by_role("button", name="Cancel").press("Enter")
    expect(add).to_be_focused()

    # Refused: born in the future, gender left at "Choose…" (was saved as Unspecified (X)).
    add.press("Enter")
    new.get_by_label("Given name").fill("Zoë")
    new.get_by_label("Family name").fill("O'Brien-Núñez")
    born = new.get_by_label("Date of birth")
    born.fill("2099-01-01")
    new.get_by_label("Travel document").select_option("passport")
    new.get_by_label("Document number").fill("X1234567")
    new.get_by_label("Issuing country").fill("GB")
    new.get_by_label("Expiry date").fill("2001-01-01")
    new.get_by_role("button", name="Save traveler").press("Enter")
    expect(born).to_be_focused()
    # Each error as a sentence: the API writes them lower case and unstopped.
    expect(born).to_have_accessible_description(
        re.compile(r"Must be in the past \(and after 1900-01-01\)\.$")
    )
    gender = new.get_by_label("Gender (as on the passport)")
    expect(gender).to_have_attribute("aria-invalid", "true")
    expect(gender).to_have_accessible_description(
        re.compile("Choose the gender as on the passport")
    )
    expect(new.get_by_label("Expiry date")).to_have_accessible_description(
        re.compile(r"The document has expired\.$")
    )
    assert_accessible(page)
    screenshot(page, "traveler-refused")

    born.fill("1990-02-03")
    gender.select_option("f")
    new.get_by_label("Expiry date").fill("2031-01-01")
    new.get_by_role("button", name="Save traveler").press("Enter")
    expect(add).to_be_focused()
    expect(section.get_by_role("status")).to_have_text(f"{NAME} is saved.")
    companion = section.get_by_role("article", name=NAME)
    expect(companion).to_contain_text("Passport")
    # Shown: the number is read out (was: only the button's new name, which is not announced).
    companion.get_by_role("button", name=f"Show {NAME}'s document number").press("Enter")
    number = companion.get_by_text("X1234567")
    expect(number).to_be_visible()
    assert number.evaluate(LIVE_REGION_OF) is not None
    companion.get_by_role("button", name=f"Hide {NAME}'s document number").press("Enter")

    # Edited: the passport declined ("No document" hides its fields, which still hold values).
    companion.get_by_role("button", name=f"Edit {NAME}").press("Enter")
    edit = page.get_by_role("form", name=f"Edit {NAME}")
    expect(edit.get_by_role("heading", name=f"Edit {NAME}")).to_be_focused()
    edit.get_by_label("Travel document").select_option("")
    edit.get_by_role("button", name="Save traveler").press("Enter")
    edit_button = companion.get_by_role("button", name=f"Edit {NAME}")
    expect(edit_button).to_be_focused()
    expect(companion).not_to_contain_text("Passport")
    expect(section.get_by_role("status")).to_have_text(f"{NAME} is saved.")

    # Deleted: the question takes the focus (never its yes), Keep gives it back to Delete.
    delete = companion.get_by_role("button", name=f"Delete {NAME}")
    delete.press("Enter")
    question = companion.get_by_role("group", name=f"Delete {NAME}?")
    expect(question).to_be_focused()
    question.get_by_role("button", name="Keep").press("Enter")
    expect(delete).to_be_focused()
    delete.press("Enter")
    page.keyboard.press("Tab")
    yes = question.get_by_role("button", name=f"Yes, delete {NAME}")
    expect(yes).to_be_focused()
    screenshot(page, "traveler-delete-question")
    page.keyboard.press("Enter")
    expect(companion).to_have_count(0)
    expect(section.get_by_role("heading", name="Saved travelers")).to_be_focused()
    expect(section.get_by_role("status")).to_have_text(
        f"{NAME} is deleted from your saved travelers."
    )
    screenshot(page, "traveler-deleted")


def test_a_download_of_the_traveler_s_data_is_read_out(screen: Page, tmp_path: Path) -> None:
    page = screen
    sign_up_at_profile(page)
    data = page.get_by_role("region", name="Your data")
    # In the page before its words: a live region added with them already in it is often not
    # read out (was: drawn only once the download was done).
    status = data.get_by_role("status")
    expect(status).to_have_count(1)
    expect(status).to_have_text("")
    data.get_by_role("button", name="Export my data…").press("Enter")
    with page.expect_download() as download:
        data.get_by_role("button", name="Download my data").press("Enter")
    download.value.save_as(tmp_path / "export.json")
    expect(status).to_have_text("Your data is downloaded.")
    expect(data.get_by_role("button", name="Export my data…")).to_be_focused()


@contextmanager
def signed_up_at_profile(
    browser: Browser, base_url: str, name: str, **options: Any
) -> Iterator[Page]:
    """A new traveler signed up, on the profile page, in a window of `options` named `name`."""
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.viewport_name = name  # type: ignore[attr-defined]
    try:
        sign_up_at_profile(page)
        expect(page.get_by_role("form", name="Your profile")).to_be_visible()
        yield page
    finally:
        context.close()


def test_the_signed_in_header_reflows_at_320_px_without_scrolling_sideways(
    browser: Browser, base_url: str
) -> None:
    # WCAG 1.4.10: 320 CSS px wide (a 1280 px window at 400 %). The header was kept to one line,
    # and signed in it ran 29 px past the window's edge, Sign out cut off.
    reflow = {"viewport": {"width": 320, "height": 640}}
    with signed_up_at_profile(browser, base_url, "reflow", **reflow) as page:
        sign_out = page.get_by_role("banner").get_by_role("button", name="Sign out")
        expect(sign_out).to_be_in_viewport(ratio=1)
        assert page.evaluate("document.documentElement.scrollWidth") == 320
        screenshot(page, "header-320")


def test_the_signed_in_header_keeps_sign_out_as_far_from_the_edge_as_the_brand_at_390_px(
    browser: Browser, base_url: str
) -> None:
    # A phone (390 px): the one-line header ran past its own padding, Sign out ~5 px from the
    # screen's edge while the brand keeps 12 px on the other side.
    with signed_up_at_profile(browser, base_url, "phone", **VIEWPORTS["phone"]) as page:
        banner = page.get_by_role("banner")
        brand = banner.get_by_role("link").first.bounding_box()
        sign_out = banner.get_by_role("button", name="Sign out").bounding_box()
        assert brand is not None
        assert sign_out is not None
        right_margin = 390 - (sign_out["x"] + sign_out["width"])
        assert right_margin >= brand["x"] - 0.5, (right_margin, brand["x"])
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        screenshot(page, "header-390")
