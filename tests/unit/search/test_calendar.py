"""The fare calendar: query validation and a month of cheapest one-way fares."""

import datetime as dt
from decimal import Decimal

import pytest

from connectors.model import Passengers, SliceQuery
from kernel.errors import ValidationFailed
from search.calendar import CalendarQuery, build_calendar, parse_calendar_query
from search.fare_index import CheapestFare, slot_for_search
from search.model import SearchRequest

TODAY = dt.date(2030, 5, 14)


def failed_fields(**params: str) -> set[str]:
    with pytest.raises(ValidationFailed) as failed:
        parse_calendar_query(params.items(), today=TODAY)
    return {e.field for e in failed.value.errors}


def test_a_valid_query_is_normalized_with_defaults() -> None:
    query = parse_calendar_query(
        {"origin": "lhr", "destination": "JFK", "month": "2030-05"}.items(), today=TODAY
    )

    assert query == CalendarQuery("LHR", "JFK", "2030-05", "economy", 1, "USD")


def test_unknown_airport_bad_month_and_month_in_the_past_are_named() -> None:
    assert failed_fields(origin="LHR", destination="ZZZ", month="2030-5") == {
        "query.destination",
        "query.month",
    }
    assert failed_fields(origin="LHR", destination="JFK", month="2030-04") == {"query.month"}
    assert failed_fields(origin="LHR", destination="JFK", month="2030-13") == {"query.month"}
    assert failed_fields(origin="LHR", destination="JFK", month="2030-06", adults="0") == {
        "query.adults"
    }
    assert failed_fields(destination="JFK", month="2030-06", x="1") == {"query.origin", "query.x"}


def test_the_calendar_has_every_day_and_null_where_nothing_is_cached() -> None:
    query = CalendarQuery("LHR", "JFK", "2030-06", "economy", 1)
    fare = CheapestFare(Decimal("410.50"), "USD", "off_x", 9, 1.9e9, 1.9e9 + 60, 1.9e9 + 600)

    calendar = build_calendar(query, {"2030-06-20": fare, "2030-06-21/2030-06-28": fare})

    assert len(calendar.days) == 30
    assert [d for d, v in calendar.days.items() if v is not None] == ["2030-06-20"]
    day = calendar.days["2030-06-20"]
    assert day is not None
    assert (day.cheapest.amount, day.cheapest.offer_id, day.offers) == (
        Decimal("410.50"),
        "off_x",
        9,
    )


def test_a_non_ascii_airport_code_is_refused_not_upper_cased_into_a_real_one() -> None:
    # "ßa".upper() is "SSA" (Salvador)
    assert failed_fields(origin="ßa", destination="JFK", month="2030-06") == {"query.origin"}


def test_a_calendar_in_a_currency_search_prices_in_reads_that_currency_s_fares() -> None:
    query = parse_calendar_query(
        {"origin": "LHR", "destination": "JFK", "month": "2030-06", "currency": "eur"}.items(),
        today=TODAY,
    )
    usd = CalendarQuery("LHR", "JFK", "2030-06", "economy", 1)

    assert query.currency == "EUR"
    # Its own fares: the ones searches priced in euros found (the airlines price each currency).
    assert query.key("s") != usd.key("s")
    assert usd.key("s") == "skyfare:cheapest:v1:s:LHR:JFK:economy:1:2030-06"  # as before
    euros = SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 6, 20)),),
        passengers=Passengers(),
        currency="EUR",
    )
    indexed = slot_for_search(euros, "s")
    assert indexed is not None
    assert (indexed.key, indexed.field) == (query.key("s"), "2030-06-20")
    fare = CheapestFare(Decimal("377.66"), "EUR", "off_e", 4, 1.9e9, 1.9e9 + 60, 1.9e9 + 600)
    assert build_calendar(query, {"2030-06-20": fare}).currency == "EUR"


def test_a_currency_search_does_not_price_in_is_named() -> None:
    for code in ("JPY", "euro", ""):
        assert failed_fields(origin="LHR", destination="JFK", month="2030-06", currency=code) == {
            "query.currency"
        }
