"""The currencies offers are priced in (pure).

One list for every package that meets it: search refuses any other currency up front (instead
of by every airline), and a traveler's profile may only prefer one of them, so the currency a
profile names is one the search form can show prices in.
"""

from __future__ import annotations

from typing import Literal, get_args

PricedCurrency = Literal["EUR", "GBP", "USD"]
# What the airlines sell in: the Literal above is the schemas' enum, this set the checks'.
PRICED_CURRENCIES: frozenset[str] = frozenset(get_args(PricedCurrency))
# Each one's minor units (ISO 4217's exponent): an amount has at most this many decimal places.
MINOR_UNITS: dict[str, int] = {"EUR": 2, "GBP": 2, "USD": 2}


def priced_currencies_text() -> str:
    """`EUR, GBP, USD`: the list a refusal names, in one order."""
    return ", ".join(sorted(PRICED_CURRENCIES))
