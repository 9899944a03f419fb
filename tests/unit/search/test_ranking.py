import datetime as dt
from decimal import Decimal
from typing import Any

from connectors.model import Passengers, SliceQuery
from search.model import SearchRequest
from search.ranking import rank
from tests.fakes import offer, segment


def request(**fields: Any) -> SearchRequest:
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 5, 1)),),
        passengers=Passengers(),
        **fields,
    )


def prices(offers: list[Any]) -> list[str]:
    return [str(o.total_amount) for o in offers]


def test_same_flight_from_two_sources_keeps_the_cheapest() -> None:
    from_airline = offer("612.40", segment("BA117"), source="rest-britannia")
    from_consolidator = offer("598.00", segment("BA117"), source="rest-globetrotter")
    dearer_reseller = offer("650.00", segment("BA117"), source="rest-other")

    ranked = rank([from_airline, from_consolidator, dearer_reseller], request())

    assert ranked == [from_consolidator]


def test_equal_prices_keep_the_first_source() -> None:
    first = offer("500.00", segment("BA117"), source="a")
    second = offer("500.00", segment("BA117"), source="b")

    assert rank([first, second], request()) == [first]


def test_different_flights_times_or_cabins_are_not_duplicates() -> None:
    offers = [
        offer("500.00", segment("BA117", "2030-05-01T08:25")),
        offer("510.00", segment("BA117", "2030-05-01T18:25")),
        offer("520.00", segment("BA175", "2030-05-01T08:25")),
        offer("530.00", segment("BA117", "2030-05-01T08:25", cabin_class="business")),
    ]

    assert len(rank(offers, request())) == 4


def test_sort_by_price_breaks_ties_by_duration() -> None:
    slow = offer("400.00", segment("BA1"), minutes=600)
    fast = offer("400.00", segment("BA2"), minutes=420)
    dear = offer("300.00", segment("BA3"), minutes=900)

    assert rank([slow, fast, dear], request(sort="price")) == [dear, fast, slow]


def test_sort_by_duration_sums_every_slice_then_price() -> None:
    def trip(out: str, back: str, price: str, minutes: list[int]) -> Any:
        back_segment = segment(back, "2030-05-08T10:00", origin="JFK", destination="LHR")
        return offer(price, segment(out), back_segment, minutes=minutes)

    long_trip = trip("BA1", "BA2", "300.00", [500, 500])
    short_trip = trip("BA3", "BA4", "900.00", [450, 420])
    short_cheap = trip("AA1", "AA2", "800.00", [420, 450])

    ranked = rank([long_trip, short_trip, short_cheap], request(sort="duration"))

    assert ranked == [short_cheap, short_trip, long_trip]


def test_sort_by_departure_then_price() -> None:
    late = offer("100.00", segment("BA1", "2030-05-01T20:00"))
    early_dear = offer("900.00", segment("BA2", "2030-05-01T07:00"))
    early_cheap = offer("800.00", segment("AA2", "2030-05-01T07:00"))

    ranked = rank([late, early_dear, early_cheap], request(sort="departure"))

    assert ranked == [early_cheap, early_dear, late]


def test_limit_keeps_the_best_ones() -> None:
    offers = [offer(f"{100 + i}.00", segment(f"BA{i}")) for i in range(10)]

    assert prices(rank(reversed(offers), request(limit=3))) == ["100.00", "101.00", "102.00"]


def test_airlines_filter_wants_every_segment_marketed_by_a_listed_carrier() -> None:
    ba_only = offer("500.00", [segment("BA1"), segment("BA2", origin="JFK", destination="SFO")])
    mixed = offer("400.00", [segment("BA3"), segment("AA4", origin="JFK", destination="SFO")])
    ba_sold_by_consolidator = offer("450.00", segment("BA5"), owner="GT", source="gt")

    ranked = rank([ba_only, mixed, ba_sold_by_consolidator], request(airlines=("BA",)))

    assert ranked == [ba_sold_by_consolidator, ba_only]


def test_max_price_keeps_offers_up_to_it() -> None:
    offers = [offer("499.99", segment("BA1")), offer("500.00", segment("BA2")),
              offer("500.01", segment("BA3"))]  # fmt: skip

    kept = rank(offers, request(max_price=Decimal("500")))

    assert prices(kept) == ["499.99", "500.00"]


def test_max_connections_bounds_segments_per_slice() -> None:
    direct = offer("700.00", segment("BA1"))
    one_stop = offer("500.00", [segment("BA2"), segment("BA3", origin="JFK", destination="SFO")])

    assert rank([direct, one_stop], request(max_connections=0)) == [direct]
    assert rank([direct, one_stop], request(max_connections=1)) == [one_stop, direct]


def test_offers_in_another_currency_are_dropped() -> None:
    usd = offer("700.00", segment("BA1"))
    eur = offer("500.00", segment("BA2"), currency="EUR")

    assert rank([usd, eur], request(currency="USD")) == [usd]
