"""Fare rules: pure functions from distance, cabin, days to departure and load to money.

Amounts are integer cents of the selling currency until they go on the wire; a journey's price
is computed on its own and a fare is the sum of its journeys, so fares combine additively.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

import msgspec

from sim.catalog import Cabin

PaxType = Literal["ADT", "CHD", "INF"]

# Fixed rates: how much of each currency one US dollar buys.
RATES: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}
CABIN_FACTOR: dict[Cabin, float] = {"Y": 1.0, "W": 1.7, "C": 4.2, "F": 7.5}
PAX_SHARE: dict[PaxType, float] = {"ADT": 1.0, "CHD": 0.75, "INF": 0.10}
# (refundable, changeable) per cabin.
CONDITIONS: dict[Cabin, tuple[bool, bool]] = {
    "Y": (False, False),
    "W": (False, True),
    "C": (False, True),
    "F": (True, True),
}
TAX_SHARE = 0.12
SEGMENT_FEE_USD = 18.0  # per seated passenger per leg; infants on a lap pay none
CONNECTION_DISCOUNT = 0.88  # a one-stop journey sells below the nonstop


class Money(msgspec.Struct, frozen=True):
    """Base and taxes in cents of `currency`."""

    currency: str
    base: int
    taxes: int

    @property
    def total(self) -> int:
        return self.base + self.taxes

    def __add__(self, other: Money) -> Money:
        return Money(self.currency, self.base + other.base, self.taxes + other.taxes)


def decimal_amount(cents: int) -> Decimal:
    """Cents as a two-place Decimal (msgspec writes it as a string)."""
    return Decimal(cents).scaleb(-2)


def market_fare_usd(distance_km: float) -> float:
    """One adult, economy, booked far ahead on an average flight."""
    return 40.0 + 0.09 * distance_km


def days_factor(days_out: int) -> float:
    """Up to 1.9x on the day of departure, fading to 1x two months ahead."""
    return 1.0 + 0.9 * math.exp(-max(days_out, 0) / 14)


def load_factor(load: float) -> float:
    """Empty flights sell cheap, full ones dear (0.75x empty, 1.65x full)."""
    return 0.75 + 0.9 * load * load


def adult_fare_usd(
    *,
    distance_km: float,
    cabin: Cabin,
    days_out: int,
    load: float,
    stops: int,
    seller_factor: float,
) -> float:
    """The base fare of one adult on one journey, in dollars, before rounding."""
    fare = market_fare_usd(distance_km) * CABIN_FACTOR[cabin]
    fare *= days_factor(days_out) * load_factor(load) * seller_factor
    return fare * CONNECTION_DISCOUNT**stops


def journey_price(
    adult_usd: float, *, segments: int, travellers: dict[PaxType, int], currency: str
) -> Money:
    """What all `travellers` pay for one journey: whole-unit bases, taxes to the cent."""
    rate = RATES[currency]
    base = taxes = 0
    for pax_type, count in travellers.items():
        if count <= 0:
            continue
        pax_base = 100 * round(adult_usd * PAX_SHARE[pax_type] * rate)
        fees = 0 if pax_type == "INF" else round(segments * SEGMENT_FEE_USD * rate * 100)
        base += count * pax_base
        taxes += count * (round(pax_base * TAX_SHARE) + fees)
    return Money(currency, base, taxes)
