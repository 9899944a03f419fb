"""The traveler's path with the keyboard only, as a screen reader meets it: each screen's title
names it, the skip link lands on the screen's heading, the airport suggestions say which country
(two Londons), a refused form puts the focus on the first field refused (its error read with it),
and focus never falls to the page's body when the control pressed goes away (a screen opened at
the same address, a quote kept, a form sent, signing out)."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from matplotlib import image  # the report plots' library: a screenshot's PNG as RGB
from playwright.sync_api import Page, Route, expect

from search.model import MAX_DAYS_AHEAD
from tests.browser.conftest import Stack
from tests.browser.test_book import _day, open_an_offer, sign_in_as_ada
from tests.browser.test_search_to_offer import pick_airport, screenshot
from tests.browser.trips import open_trip, paid_trip

pytestmark = pytest.mark.timeout(300)


def _heading_has_focus(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", name=name, level=1)).to_be_focused()


def test_each_screen_is_titled_by_its_heading_and_the_skip_link_lands_on_it(screen: Page) -> None:
    page = screen
    page.goto("/")
    expect(page).to_have_title("Where to next? · Skyfare")  # was "Skyfare" on every screen
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    # Was: focus on the body (a screen reader stayed at the top) and "#main" in the address.
    _heading_has_focus(page, "Where to next?")
    expect(page).not_to_have_url(re.compile("#"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Round trip")).to_be_focused()

    open_an_offer(page)
    expect(page).to_have_title(re.compile(r"^LHR → JFK with .+ · Skyfare$"))
    _heading_has_focus(page, re.compile(r"^LHR → JFK with "))
    page.get_by_role("link", name="Continue to passengers").press("Enter")
    expect(page).to_have_title("Book this flight · Skyfare")
    page.go_back()
    page.go_back()
    expect(page).to_have_title("LHR → JFK · Skyfare")


def test_airport_suggestions_name_each_country_and_the_arrow_keys_pick_one(screen: Page) -> None:
    page = screen
    page.goto("/")
    origin = page.get_by_role("combobox", name="From", exact=True)
    origin.press_sequentially("lon")
    heathrow = page.get_by_role("option", name=re.compile(r"^LHR "))
    ontario = page.get_by_role("option", name=re.compile(r"^YXU "))
    # Was "LHR London · London Heathrow Airport" and "YXU London · London Airport".
    expect(heathrow).to_have_text("LHR London, United Kingdom · London Heathrow Airport")
    expect(ontario).to_have_text("YXU London, Canada · London Airport")
    screenshot(page, "airports-countries")

    options = page.get_by_role("listbox", name="From airports").get_by_role("option")
    index = [o.inner_text() for o in options.all()].index(ontario.inner_text())
    for _ in range(index + 1):
        origin.press("ArrowDown")
    expect(ontario).to_have_attribute("aria-selected", "true")
    expect(origin).to_have_attribute("aria-activedescendant", ontario.get_attribute("id") or "")
    expect(ontario).to_be_in_viewport()  # the list scrolls to the option the arrows reach
    origin.press("Enter")
    expect(origin).to_have_value("YXU")
    expect(origin).to_be_focused()


def test_a_refused_passenger_field_takes_the_focus_with_its_error(screen: Page) -> None:
    page = screen
    open_an_offer(page)
    page.get_by_role("link", name="Continue to passengers").press("Enter")
    sign_in_as_ada(page)
    page.get_by_label("Gender (as on the passport)").select_option("f")
    page.get_by_label("Date of birth").fill("1990-12-10")
    phone = page.get_by_label("Phone number (optional, +44…)")
    phone.fill("12")
    page.get_by_role("button", name="Continue to seats").press("Enter")

    # Was: focus on the notice above the form, then a Tab back to the top of the form.
    expect(phone).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile(r"Must be an E\.164 phone number: "))
    expect(page.get_by_role("alert")).to_contain_text("Some details need fixing")


def test_a_refused_profile_field_takes_the_focus_with_its_error(screen: Page) -> None:
    page = screen
    page.goto("/profile")
    sign_in_as_ada(page)
    phone = page.get_by_label("Phone number")
    phone.fill("12")
    page.get_by_role("button", name="Save profile").press("Enter")
    # Was: on the body (Save is disabled while it saves, and lost the focus).
    expect(phone).to_be_focused()
    expect(phone).to_have_accessible_description(re.compile(r"Must be an E\.164 phone number: "))
    # Saved: the focus is back on Save (was: on the body), the status says so.
    phone.fill(f"+44207{uuid.uuid4().int % 10**6:06d}")  # a new one: a save to make
    save = page.get_by_role("button", name="Save profile")
    save.press("Enter")
    expect(page.get_by_role("form", name="Your profile").get_by_role("status")).to_have_text(
        "Your profile is saved."
    )
    expect(save).to_be_focused()


def test_a_search_the_traveler_sent_and_the_api_refused_focuses_the_refused_field(
    screen: Page,
) -> None:
    page = screen
    page.goto("/")
    page.get_by_role("radio", name="One way").check()
    pick_airport(page, "From", "LHR", "LHR")
    pick_airport(page, "To", "JFK", "JFK")
    # Past the 361 days the API searches: the form lets it through, the API refuses the date.
    date = page.get_by_label("Departure date")
    date.fill(_day(400))
    page.get_by_role("button", name="Search").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Some details need fixing")
    # Was: the results' heading (the Layout's rule for a new screen), a Tab away from the form.
    expect(date).to_be_focused()
    expect(date).to_have_attribute("aria-invalid", "true")
    # With the next step: the last day that can be searched (was the API's words alone).
    last = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=MAX_DAYS_AHEAD)
    expect(date).to_have_accessible_description(
        re.compile(
            rf"Date is more than {MAX_DAYS_AHEAD} days ahead: the last day you can search is "
            rf"{last:%a} {last.day} {last:%b} {last.year}\.$"
        )
    )
    screenshot(page, "search-refused-focus")

    # Sent again from the results' own form (redrawn for the new search): the new refused field.
    pick_airport(page, "To", "LHR", "LHR")
    date.fill(_day(30))
    page.get_by_role("button", name="Search").press("Enter")
    to = page.get_by_role("combobox", name="To", exact=True)
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(to).to_be_focused()  # was: the page's body (the pressed Search was redrawn)

    # The same refused search opened from a link (nothing sent in this tab): the page starts at
    # the top, as any page opened from its address does.
    address = page.url
    page.goto("/")
    page.goto(address)
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(to).not_to_be_focused()
    assert page.evaluate("() => document.activeElement === document.body")


def test_focus_follows_the_trip_s_screens_and_never_falls_to_the_page(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=56)
    open_trip(page, order_id)

    # A screen opened at the same address (?change=seats) and back: its heading each time.
    page.get_by_role("link", name="Change seats").press("Enter")
    _heading_has_focus(page, "Change seats")
    page.get_by_role("button", name="Keep my seats").press("Enter")
    _heading_has_focus(page, "Your trip is booked")

    # A quote kept: back on the button that asked for it.
    start = page.get_by_role("button", name="Cancel this trip…")
    start.press("Enter")
    page.get_by_role("button", name="Keep the trip").press("Enter")
    expect(start).to_be_focused()

    # The support form sent: back on the button that opened it, the "sent" line a status.
    page.get_by_role("button", name="Contact support").press("Enter")
    form = page.get_by_role("form", name="Contact support")
    expect(form.get_by_label("Subject")).to_be_focused()
    page.keyboard.type("A window seat")
    page.keyboard.press("Tab")
    page.keyboard.type("Can I sit by a window?")
    form.get_by_role("button", name="Send to support").press("Enter")
    expect(page.get_by_role("status").filter(has_text="sent to support")).to_be_visible()
    expect(page.get_by_role("button", name="Contact support")).to_be_focused()

    # Cancelled: the section's new heading, which says so.
    start.press("Enter")
    page.get_by_role("button", name="Yes, cancel the trip").press("Enter")
    expect(page.get_by_role("heading", name="Trip cancelled")).to_be_focused()

    # Signed out: the Sign in drawn in Sign out's place.
    page.get_by_role("banner").get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_role("banner").get_by_role("button", name="Sign in")).to_be_focused()
    expect(page).to_have_title("Your trip · Skyfare")  # the title follows the heading


def _no_answer_to_posts(route: Route) -> None:
    if route.request.method == "POST":
        route.abort()  # no answer at all: the connection dropped
    else:
        route.continue_()


def test_a_send_or_a_seat_choice_that_fails_leaves_the_focus_on_the_button_pressed(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=57)
    open_trip(page, order_id)

    # Support: the message not sent, kept; Send (disabled while sending) has the focus again.
    page.route("**/v1/support/cases", _no_answer_to_posts)
    page.get_by_role("button", name="Contact support").press("Enter")
    form = page.get_by_role("form", name="Contact support")
    form.get_by_label("Subject").fill("A window seat")
    form.get_by_label("Message").fill("Can I sit by a window?")
    send = form.get_by_role("button", name="Send to support")
    send.press("Enter")
    # The browser is online: the server was not reached, not "you appear to be offline".
    expect(form.get_by_role("alert")).to_contain_text("We could not reach Skyfare.")
    expect(send).to_be_focused()  # was: the page's body
    expect(form.get_by_label("Message")).to_have_value("Can I sit by a window?")
    form.get_by_role("button", name="Cancel").press("Enter")

    # Seats: the choice not saved; Save seats has the focus again.
    page.route(f"**/v1/orders/{order_id}/seats", _no_answer_to_posts)
    page.get_by_role("link", name="Change seats").press("Enter")
    seat_map = page.get_by_role("table").first
    seat_map.get_by_role("button", name=re.compile(r", free$")).first.press("Enter")
    save = page.get_by_role("button", name="Save seats")
    save.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(save).to_be_focused()  # was: the page's body


# The app's focus colour (--color-focus, web/src/app/styles.css) as the screenshot's RGB.
FOCUS_RGB = (0xD9, 0x48, 0x0F)
FOCUS_RING = """el => { const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset]; }"""


def _focus_coloured_pixels(png: bytes) -> int:
    """The pixels within a small distance of the app's focus colour in a screenshot of a field,
    but for its edges (where the field's own ring, outside its box, may blend in)."""
    rgb = image.imread(io.BytesIO(png), format="png")[3:-3, 3:-3, :3] * 255
    distance = sum((rgb[:, :, i] - FOCUS_RGB[i]) ** 2 for i in range(3)) ** 0.5
    return int((distance < 60).sum())


def test_the_date_picker_button_wears_the_app_s_focus_ring(screen: Page) -> None:
    page = screen
    page.goto("/")
    origin = page.get_by_role("combobox", name="From", exact=True)
    origin.focus()
    apps_ring = origin.evaluate(FOCUS_RING)
    assert apps_ring == ["solid", "3px", "rgb(217, 72, 15)", "2px"]

    # Back from "Prices by day" under it: the date field's picker button (the calendar icon).
    date = page.get_by_label("Departure date")
    page.get_by_text("Prices by day").first.focus()
    page.keyboard.press("Shift+Tab")
    expect(date).to_be_focused()
    assert date.evaluate("el => el.matches(':focus-visible')") is False  # the button, not a digit
    # Was: no ring on the field ("none") and Chromium's thin black one around the icon.
    assert date.evaluate(FOCUS_RING) == apps_ring
    # The button's own ring, inside the field's box (the field's ring is outside it), is drawn in
    # the app's colour: was none of it.
    assert _focus_coloured_pixels(date.screenshot()) > 20
    screenshot(page, "date-picker-focus")

    # On the digits, as before: the app's ring, the button's none.
    page.keyboard.press("Shift+Tab")
    expect(date).to_be_focused()
    assert date.evaluate(FOCUS_RING) == apps_ring
    assert _focus_coloured_pixels(date.screenshot()) == 0


def test_the_trip_s_heading_that_changes_under_the_focus_is_announced(
    screen: Page, stack: Stack
) -> None:
    page = screen
    order_id = paid_trip(stack, page.request, days_ahead=57)
    # The trip's answers say its payment is still going through until `released`.
    released = False

    def processing_until_released(route: Route) -> None:
        if released:
            route.fallback()
            return
        answer = route.fetch()
        paying = {**answer.json(), "status": "held", "payment_status": "processing"}
        route.fulfill(response=answer, json=paying)

    page.route(re.compile(rf"/v1/orders/{order_id}(\?.*)?$"), processing_until_released)
    page.goto(f"/trips/{order_id}")
    sign_in_as_ada(page)
    page.get_by_role("link", name="Skip to content").press("Enter")
    _heading_has_focus(page, "Payment in progress…")
    page.evaluate("""() => { window.headingsFocused = [];
      document.addEventListener("focusin", (e) => {
        if (e.target.tagName === "H1") window.headingsFocused.push(e.target.textContent); }); }""")

    released = True  # the page's next look at the trip finds it paid and ticketed

    _heading_has_focus(page, "Your trip is booked")
    # Was none: the focused heading's words changed in place, which a screen reader does not say
    # (only the status line below it was). The new heading gets the focus, and is read.
    assert page.evaluate("() => window.headingsFocused") == ["Your trip is booked"]
    expect(page.get_by_role("region", name="Booking")).to_contain_text("Paid and ticketed")
    screenshot(page, "trip-heading-followed")
