from __future__ import annotations

from decimal import Decimal

from sim.fares import adult_fare_usd, decimal_amount, journey_price

BASE = {"distance_km": 5500.0, "cabin": "Y", "days_out": 60, "load": 0.5, "stops": 0}


def fare(**changes: object) -> float:
    values: dict[str, object] = {**BASE, "seller_factor": 1.0, **changes}
    return adult_fare_usd(**values)  # type: ignore[arg-type]


def test_cabins_are_ordered_economy_premium_business_first() -> None:
    prices = [fare(cabin=c) for c in ("Y", "W", "C", "F")]

    assert prices == sorted(prices)
    assert len(set(prices)) == 4


def test_closer_departure_is_dearer() -> None:
    assert fare(days_out=0) > fare(days_out=7) > fare(days_out=30) > fare(days_out=120)


def test_fuller_flight_is_dearer_and_connection_is_cheaper() -> None:
    assert fare(load=0.95) > fare(load=0.6) > fare(load=0.2)
    assert fare(stops=1) < fare(stops=0)


def test_longer_flight_is_dearer() -> None:
    assert fare(distance_km=9000.0) > fare(distance_km=5500.0) > fare(distance_km=600.0)


def test_children_pay_three_quarters_and_infants_a_tenth_without_seat_fees() -> None:
    adult = journey_price(500.0, segments=2, travellers={"ADT": 1}, currency="USD")
    child = journey_price(500.0, segments=2, travellers={"CHD": 1}, currency="USD")
    infant = journey_price(500.0, segments=2, travellers={"INF": 1}, currency="USD")
    family = journey_price(
        500.0, segments=2, travellers={"ADT": 1, "CHD": 1, "INF": 1}, currency="USD"
    )

    assert (adult.base, child.base, infant.base) == (50000, 37500, 5000)
    assert adult.taxes == 6000 + 3600  # 12 % of the base + 2 segments x 18.00
    assert infant.taxes == 600
    assert family.total == adult.total + child.total + infant.total


def test_currencies_convert_at_fixed_rates() -> None:
    usd = journey_price(500.0, segments=1, travellers={"ADT": 1}, currency="USD")
    gbp = journey_price(500.0, segments=1, travellers={"ADT": 1}, currency="GBP")

    assert (gbp.currency, gbp.base) == ("GBP", 39500)
    assert gbp.total < usd.total


def test_amounts_have_two_decimal_places() -> None:
    assert str(decimal_amount(61240)) == "612.40"
    assert decimal_amount(5) == Decimal("0.05")
