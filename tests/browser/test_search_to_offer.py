"""A traveler searches, watches results arrive, and opens an offer: phone and desktop windows.

Every screen is scanned with axe-core: no serious or critical accessibility violation.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.timeout(300)

_axe = Axe()
ERROR_COLOUR = "rgb(176, 0, 32)"  # --color-error in web/src/app/styles.css


def _day(days_ahead: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)).isoformat()


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the screen as it is, scanned in the phone's
    window only. Both windows draw the same components (they differ in CSS: the media queries of
    web/src/app/styles.css), so the desktop's scan repeated the phone's rules on the same DOM,
    and the rules that depend on the layout (a region that scrolls must take the focus) bite on
    the narrow one. A scan costs Chromium ~0.65 CPU-s; the desktop's were ~8 % of the browser tests'
    CPU (bench/results/2026-12-07-suite-time.md)."""
    if getattr(page, "viewport_name", "phone") != "phone":
        return
    results = _axe.run(page)
    grave = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert grave == [], "\n".join(grave)


def screenshot(page: Page, name: str) -> None:
    """Kept when SKYFARE_SCREENSHOTS names a folder (README's pictures come from there)."""
    folder = os.environ.get("SKYFARE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}-{page.viewport_name}.png")  # type: ignore[attr-defined]


def pick_airport(page: Page, label: str, typed: str, code: str) -> None:
    field = page.get_by_role("combobox", name=label, exact=True)
    field.fill(typed)
    page.get_by_role("option", name=re.compile(rf"^{code} ")).click()
    expect(field).to_have_value(code)


def test_search_streams_results_and_an_offer_opens_re_priced(screen: Page) -> None:
    page = screen
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)

    pick_airport(page, "From", "Lond", "LHR")
    pick_airport(page, "To", "new york", "JFK")
    page.get_by_label("Departure date").fill(_day(30))
    page.get_by_label("Return date").fill(_day(37))
    screenshot(page, "search")
    page.get_by_role("button", name="Search", exact=True).click()

    results = page.get_by_role("region", name="Results")
    offers = results.get_by_role("listitem").filter(has=page.get_by_role("button", name="Select"))
    expect(offers.first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    # What was searched, beside the heading's airports: the days, who and the cabin.
    expect(page.get_by_text(re.compile(r" – .* · 1 adult · Economy$"))).to_be_visible()
    # The failing airline is named, and the results say they may be incomplete.
    airlines = page.get_by_role("region", name="Airlines")
    expect(airlines.get_by_text("Crimson")).to_be_visible()
    expect(airlines.get_by_text("did not answer")).to_be_visible()
    expect(airlines.get_by_text("Britannia")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "results")

    offers.first.get_by_role("button", name="Select").click()
    expect(page).to_have_url(re.compile(r"/offers/off_"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LHR ⇄ JFK")  # a round trip
    # Re-priced on open: either the confirmed price or a notice that it changed or expired.
    confirmed = page.get_by_text("Price confirmed with the airline")
    notice = page.get_by_role("alert")
    expect(confirmed.or_(notice)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "offer")

    page.get_by_role("link", name="Back to results").click()
    expect(offers.first).to_be_visible()


def test_each_offer_s_select_button_names_its_offer(screen: Page) -> None:
    page = screen
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(21)}&adults=1&children=0&infants=0&cabin=economy"
    )
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    results = page.get_by_role("region", name="Results")
    # "Select" shown, and which offer said to a screen reader: seller, flights, times, price.
    named = re.compile(
        r"^Select [^:]+: [A-Z0-9]{2}\d+.* LHR \d\d:\d\d to JFK \d\d:\d\d.*; \$[\d,.]+$"
    )
    buttons = results.get_by_role("button", name=named)
    expect(buttons.first).to_be_visible()
    expect(buttons.first).to_have_text("Select")
    names = [button.get_attribute("aria-label") for button in buttons.all()]
    assert len(names) > 1
    assert len(set(names)) == len(names), names  # no two read alike
    # Each names its own card's price.
    card = results.get_by_role("listitem").first
    price = card.locator(".price").inner_text()
    expect(card.get_by_role("button", name=named)).to_have_accessible_name(
        re.compile(rf"; {re.escape(price)}$")
    )


def test_lon_offers_london_england_before_london_ontario(screen: Page) -> None:
    page = screen
    page.goto("/")
    page.get_by_role("combobox", name="From", exact=True).fill("lon")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_be_visible()
    # IATA's LON: London's five airports first (an option reads "LHR London, United Kingdom ·
    # London Heathrow Airport"), London, Ontario's YXU after them, its country said
    for index in range(5):
        expect(options.nth(index)).to_have_text(
            re.compile(r"^(LCY|LGW|LHR|LTN|STN) London, United Kingdom · ")
        )
    expect(options.filter(has_text="YXU")).to_have_text("YXU London, Canada · London Airport")


def test_sorting_and_filters_apply_without_a_new_search(screen: Page) -> None:
    page = screen
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(20)}&adults=1&children=0&infants=0&cabin=economy"
    )
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.get_by_text("Sort and filter").click()
    page.get_by_label("Stops").select_option("0")
    page.get_by_label("Sort by").select_option("duration")

    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("status")).to_contain_text("shown with your filters")
    expect(results.get_by_text("non-stop").first).to_be_visible()
    expect(results.get_by_text(re.compile(r"\d stops? \("))).to_have_count(0)
    assert_accessible(page)
    assert [url for url in requests if "/v1/search" in url] == []


def one_way_results(page: Page, days_ahead: int) -> Locator:
    """The Results region of a one-way LHR to JFK search, once every airline has answered."""
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(days_ahead)}"
        "&adults=1&children=0&infants=0&cabin=economy"
    )
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("status")).to_have_text(re.compile(r"^\d+ offers? found$"))
    return results


def test_filters_that_hide_every_offer_say_so_and_show_them_all_again(screen: Page) -> None:
    # It said "15 offers found (0 shown with your filters)" over an empty list, the filters that
    # did it folded away above.
    page = screen
    results = one_way_results(page, days_ahead=23)
    found = results.get_by_role("status").inner_text()
    page.get_by_text("Sort and filter").click()
    page.get_by_label("Sort by").select_option("duration")
    page.get_by_label("Stops").select_option("0")
    page.get_by_label("Departure time").select_option("evening")
    page.get_by_label("Refundable only").check()
    for airline in page.get_by_role("group", name="Airlines").get_by_role("checkbox").all():
        airline.uncheck()  # whatever the sim's fares today, nothing is left
    expect(results.get_by_role("status")).to_contain_text("(0 shown with your filters)")
    expect(results).to_contain_text("No offer matches your filters.")
    assert_accessible(page)
    screenshot(page, "results-filtered-out")

    results.get_by_role("button", name=f"Show all {found.split()[0]} offers").click()
    expect(results.get_by_role("status")).to_have_text(found)
    first = results.get_by_role("listitem").first.get_by_role("button", name=re.compile("^Select "))
    expect(first).to_be_focused()  # the button pressed is gone: focus is not left on the page
    expect(page.get_by_label("Sort by")).to_have_value("duration")  # the order chosen is kept
    expect(page.get_by_label("Refundable only")).not_to_be_checked()


# Each element of the page inside a live region, that region's element (role or aria-live).
LIVE_REGION_OF = """el => { const live = el.closest('[aria-live]:not([aria-live="off"]),'
  + '[role="status"],[role="alert"],[role="log"]');
  return live && live.outerHTML.slice(0, 120); }"""


def test_only_the_results_count_is_read_out_not_each_offer_card(screen: Page) -> None:
    page = screen
    results = one_way_results(page, days_ahead=21)
    # Was: the whole region polite-live, so every card the list drew (each airline's, a filter's,
    # and those the virtualized list adds while scrolling) was read out after the count.
    card = results.get_by_role("listitem").first
    assert card.evaluate(LIVE_REGION_OF) is None
    page.mouse.wheel(0, 3000)
    assert results.get_by_role("listitem").last.evaluate(LIVE_REGION_OF) is None


def test_a_family_s_results_say_each_price_is_the_total_for_all_of_them(screen: Page) -> None:
    # A price for three travelers, unlabelled, read as one person's fare (the offer's page said
    # "3 passengers" only after a tap).
    page = screen
    page.goto(
        f"/results?trip=one-way&leg=LHR.JFK.{_day(21)}&adults=1&children=1&infants=1&cabin=economy"
    )
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    card = page.get_by_role("region", name="Results").get_by_role("article").first
    expect(card).to_contain_text("total for 1 adult, 1 child, 1 infant")
    assert_accessible(page)
    screenshot(page, "results-family")


def test_a_round_trip_s_offer_is_headed_there_and_back_as_its_results_were(screen: Page) -> None:
    # The results said "LHR ⇄ JFK"; the offer they opened said "LHR → JFK", its first flight only.
    page = screen
    page.goto(
        f"/results?trip=round-trip&leg=LHR.JFK.{_day(22)}&return={_day(29)}"
        "&adults=1&children=0&infants=0&cabin=economy"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("LHR ⇄ JFK")
    expect(page.get_by_role("status").filter(has_text="offers found")).to_be_visible()
    page.get_by_role("region", name="Results").get_by_role("button", name="Select").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^LHR ⇄ JFK with "))


def test_a_refused_search_names_the_field_beside_it(screen: Page) -> None:
    page = screen
    page.goto(
        f"/results?trip=one-way&leg=LHR.QQQ.{_day(20)}&adults=1&children=0&infants=0&cabin=economy"
    )

    expect(page.get_by_role("alert")).to_contain_text("Some details need fixing")
    to = page.get_by_role("combobox", name="To", exact=True)
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("unknown airport 'QQQ'")).to_be_visible()
    # "The fields marked below": marked in the error colour, as a select was. A text or date
    # input kept its grey 1 px border (`input[type="text"]` outranked `[aria-invalid]`).
    expect(to).to_have_css("border-top-color", ERROR_COLOUR)
    expect(to).to_have_css("border-top-width", "2px")
    expect(page.get_by_role("combobox", name="From", exact=True)).not_to_have_css(
        "border-top-color", ERROR_COLOUR
    )
    assert_accessible(page)


def test_a_refused_round_trip_says_each_error_once_above_the_fields_it_marks(screen: Page) -> None:
    # A name typed without picking an airport: both slices of the round trip are refused, and
    # their two errors land on the same From field. They were said twice there, and the notice
    # pointing to "the fields marked below" sat under the form.
    page = screen
    page.goto(
        f"/results?trip=round-trip&leg=LONDON.JFK.{_day(20)}&return={_day(25)}"
        "&adults=1&children=0&infants=0&cabin=economy"
    )
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Check the fields marked below")
    origin = page.get_by_role("combobox", name="From", exact=True)
    expect(origin).to_have_attribute("aria-invalid", "true")
    # The way on, not the API's "must be a 3-letter IATA airport code": the field asks for a
    # city or an airport and lists the airports to choose from.
    error = page.get_by_text("Type a city or airport, then choose an airport from the list.")
    expect(error).to_have_text(
        re.compile(r"^\W*Type a city or airport, then choose an airport from the list\.$")
    )
    expect(page.get_by_text("IATA")).to_have_count(0)
    notice_box, origin_box = notice.bounding_box(), origin.bounding_box()
    assert notice_box is not None
    assert origin_box is not None
    assert notice_box["y"] < origin_box["y"]
    assert_accessible(page)


def test_an_offer_that_cannot_be_found_says_so_and_offers_a_new_search(screen: Page) -> None:
    page = screen
    page.goto("/offers/off_unknown")

    expect(page.get_by_role("alert")).to_contain_text("We could not find that flight")
    page.get_by_role("link", name="Search again").click()
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    assert_accessible(page)


def _offer_flown_by(page: Page, carrier: str) -> str:
    """The id of an LHR → JFK offer whose every flight `carrier` flies, from the API the page
    talks to (a consolidator may be the seller: it passes on the carrier's allowance)."""
    answer = page.request.get(
        f"/v1/search?origin=LHR&destination=JFK&departure_date={_day(25)}&limit=500"
    )
    assert answer.ok, answer.text()
    offers = answer.json()["offers"]
    for offer in offers:
        carriers = {s["marketing_carrier"] for sl in offer["slices"] for s in sl["segments"]}
        if carriers == {carrier}:
            return str(offer["id"])
    raise AssertionError(f"no offer flown by {carrier} in {answer.json()['meta']}")


@pytest.mark.parametrize(
    ("carrier", "words"),
    [
        ("BA", "Baggage: 1 checked bag, 23 kg, plus carry-on"),
        ("AA", "Baggage: carry-on only"),
        ("SK", "Baggage: not reported by the airline"),  # OTA messages without a slot for it
    ],
)
def test_an_offer_says_what_baggage_its_fare_includes(
    screen: Page, carrier: str, words: str
) -> None:
    page = screen
    page.goto(f"/offers/{_offer_flown_by(page, carrier)}")

    conditions = page.get_by_role("region", name="Fare conditions")
    expect(conditions.get_by_role("listitem").filter(has_text="Baggage")).to_have_text(words)
    per_passenger = conditions.get_by_text("Baggage included for each passenger.")
    expect(per_passenger).to_have_count(0 if carrier == "SK" else 1)
    assert_accessible(page)
    if carrier == "BA":
        screenshot(page, "offer-baggage")


def test_an_offer_for_a_lap_infant_promises_bags_only_to_the_seated(screen: Page) -> None:
    """The API gives one allowance per flight, for each passenger with a seat, and nothing of
    an infant's: the offer said "Baggage included for each passenger", the infant counted."""
    page = screen
    answer = page.request.get(
        f"/v1/search?origin=LHR&destination=JFK&departure_date={_day(26)}&adults=1&infants=1"
    )
    assert answer.ok, answer.text()
    reported = [
        o
        for o in answer.json()["offers"]
        if all(seg.get("baggages") for sl in o["slices"] for seg in sl["segments"])
    ]
    page.goto(f"/offers/{reported[0]['id']}")

    conditions = page.get_by_role("region", name="Fare conditions")
    expect(page.get_by_role("region", name="Price")).to_contain_text("1 adult, 1 infant")
    seated = conditions.get_by_text("Baggage included for each passenger with a seat.")
    expect(seated).to_be_visible()
    expect(conditions.get_by_text("Baggage included for each passenger.")).to_have_count(0)
    expect(conditions).to_contain_text(
        "Infants on a lap: the airline has not told us which bags, if any, are included for them"
    )
    conditions.scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "offer-baggage-infant")
