"""The REST airline's JSON shapes for changing one journey of a booking (REST_API.md
"Changes"), server side; `connectors/rest/change_wire.py` is the client's own copy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from sim.wire import FareJourney, JourneyRequest, Price

JourneyIndex = Annotated[int, msgspec.Meta(ge=0, le=5)]


class ReshopRequest(msgspec.Struct, frozen=True):
    journey: JourneyIndex
    to: JourneyRequest
    max_stops: Annotated[int, msgspec.Meta(ge=0)] = 1


class ChangeFare(msgspec.Struct, frozen=True):
    """A fare for the new journey: its own price, and the booking's total before and after."""

    fare_id: str
    valid_until: dt.datetime
    price: Price
    old_total: Price
    new_total: Price
    seats_left: int
    refundable: bool
    changeable: bool
    journey: FareJourney


class ReshopResponse(msgspec.Struct, frozen=True):
    fares: tuple[ChangeFare, ...]


class ChangeRequest(msgspec.Struct, frozen=True):
    journey: JourneyIndex
    fare_id: str
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
