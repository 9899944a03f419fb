"""The simulated airlines: who they are, where they fly from their hubs, and what they fly.

Networks overlap on purpose (LHR-JFK: BA and AA, FRA-JFK: LH and AA, LHR-FRA: BA and LH) so a
search meets the same city pair from several sellers, and Globetrotter resells BA and AA flights.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Cabin = Literal["Y", "W", "C", "F"]
CABINS: tuple[Cabin, ...] = ("Y", "W", "C", "F")
AirlineKind = Literal["operator", "consolidator"]
Protocol = Literal["rest", "soap", "ndc"]  # the dialect its sales system speaks to Skyfare


class AirlineSpec(msgspec.Struct, frozen=True):
    slug: str
    code: str
    name: str
    kind: AirlineKind
    ticket_prefix: str  # the numeric airline code that starts its ticket numbers
    price_factor: float  # brand premium over the market fare
    hubs: dict[str, tuple[str, ...]] = {}  # hub -> destinations flown from it (both directions)
    fleet: tuple[str, str, str] = ("320", "789", "777")  # short-, medium-, long-haul equipment
    resells: tuple[str, ...] = ()  # consolidator: the carriers whose flights it sells
    protocol: Protocol = "rest"

    @property
    def base_path(self) -> str:
        """Where the sim serves this airline: `/<protocol>/<slug>`."""
        return f"/{self.protocol}/{self.slug}"


_EUROPE = ("CDG", "AMS", "MAD", "BCN", "FCO", "ZRH", "DUB", "CPH", "ARN", "OSL", "ATH", "IST")
_BA_LHR = (
    *_EUROPE,
    *("FRA", "MUC", "EDI", "MAN", "VIE", "LIS"),
    *("JFK", "BOS", "IAD", "ORD", "MIA", "DFW", "LAX", "SFO", "SEA", "YYZ"),
    *("DXB", "DOH", "JNB", "BOM", "DEL", "SIN", "HKG", "NRT", "GRU"),
)
_LH_EUROPE = (*_EUROPE, "LHR", "VIE", "WAW", "PRG", "BUD", "LIS")
_LONG_HAUL_LH = ("JFK", "EWR", "ORD", "IAD", "BOS", "SFO", "LAX", "YYZ", "DXB", "SIN", "NRT")

AIRLINES: tuple[AirlineSpec, ...] = (
    AirlineSpec(
        slug="britannia",
        code="BA",
        name="Britannia Airways",
        kind="operator",
        ticket_prefix="125",
        price_factor=1.06,
        hubs={"LHR": _BA_LHR},
        fleet=("320", "789", "777"),
    ),
    AirlineSpec(
        slug="liberty",
        code="AA",
        name="Liberty Air",
        kind="operator",
        ticket_prefix="001",
        price_factor=1.0,
        hubs={
            "JFK": (
                *("LHR", "CDG", "FRA", "MAD", "BCN", "FCO", "DUB", "ATH", "LAX", "SFO", "BOS"),
                *("DFW", "ORD", "MIA", "GRU", "NRT"),
            ),
            "DFW": (
                *("LHR", "CDG", "MAD", "NRT", "SYD", "LAX", "SFO", "SEA", "DEN", "PHX", "ATL"),
                *("MEX", "YYZ", "ORD", "MIA", "LAS"),
            ),
            "ORD": ("LHR", "DUB", "CDG", "FRA", "LAX", "SFO", "SEA", "DEN", "BOS", "YYZ", "MIA"),
            "MIA": ("MAD", "LHR", "GRU", "EZE", "BOG", "LIM", "SCL", "MEX", "CUN", "BOS", "LAX"),
        },
        fleet=("321", "789", "772"),
    ),
    AirlineSpec(
        slug="hansa",
        code="LH",
        name="Hansa Airlines",
        kind="operator",
        ticket_prefix="220",
        price_factor=0.97,
        hubs={
            "FRA": (*_LH_EUROPE, *_LONG_HAUL_LH, "MIA", "GRU", "JNB", "DEL", "BOM", "HKG", "MUC"),
            "MUC": (*_LH_EUROPE, "JFK", "EWR", "ORD", "LAX", "SFO", "SIN", "NRT", "ICN", "FRA"),
        },
        fleet=("320", "359", "748"),
    ),
    AirlineSpec(
        slug="nordic",
        code="SK",
        name="Nordic Skyways",
        kind="operator",
        ticket_prefix="117",
        price_factor=0.95,
        hubs={
            "CPH": (
                *("LHR", "CDG", "AMS", "FRA", "MUC", "ZRH", "DUB", "MAN", "EDI", "OSL", "ARN"),
                *("JFK", "EWR", "ORD", "IAD", "SFO", "LAX", "MIA", "BOS", "NRT", "BKK"),
            ),
            "ARN": ("LHR", "CDG", "AMS", "FRA", "HEL", "OSL", "JFK", "EWR", "ORD", "MIA"),
        },
        fleet=("320", "359", "333"),
        protocol="soap",
    ),
    AirlineSpec(
        slug="crimson",
        code="VS",
        name="Crimson Atlantic",
        kind="operator",
        ticket_prefix="932",
        price_factor=1.02,
        hubs={
            "LHR": (
                *("JFK", "EWR", "BOS", "IAD", "ATL", "MIA", "MCO", "LAX", "SFO", "SEA", "LAS"),
                *("YYZ", "JNB", "DEL", "BOM", "HKG", "SIN", "DXB", "BGI", "CUN"),
            ),
            "MAN": ("JFK", "ATL", "MCO", "BGI", "LAS"),
        },
        fleet=("789", "789", "351"),
        protocol="ndc",
    ),
    AirlineSpec(
        slug="globetrotter",
        code="GT",
        name="Globetrotter Travel",
        kind="consolidator",
        ticket_prefix="",  # tickets are issued on the stock of the carrier that flies
        price_factor=0.98,
        resells=("BA", "AA"),
    ),
)

# Seats per cabin for each aircraft type; a cabin an aircraft lacks cannot be sold on it.
CAPACITY: dict[str, dict[Cabin, int]] = {
    "320": {"Y": 150, "C": 24},
    "321": {"Y": 170, "C": 20},
    "789": {"Y": 180, "W": 28, "C": 42},
    "359": {"Y": 230, "W": 21, "C": 38},
    "777": {"Y": 220, "W": 40, "C": 48, "F": 8},
    "772": {"Y": 230, "W": 24, "C": 37},
    "748": {"Y": 250, "W": 32, "C": 80, "F": 8},
    "333": {"Y": 220, "W": 32, "C": 32},
    "351": {"Y": 235, "W": 56, "C": 16},
}
SHORT_HAUL_KM = 2500.0  # below: narrow-body
LONG_HAUL_KM = 7500.0  # above: the airline's largest type


def airline(slug: str) -> AirlineSpec:
    for spec in AIRLINES:
        if spec.slug == slug:
            return spec
    raise KeyError(slug)


def operators() -> tuple[AirlineSpec, ...]:
    return tuple(a for a in AIRLINES if a.kind == "operator")


def airport_codes() -> set[str]:
    """Every airport any simulated airline touches."""
    codes: set[str] = set()
    for spec in operators():
        for hub, destinations in spec.hubs.items():
            codes.add(hub)
            codes.update(destinations)
    return codes
