"""The REST airline's journey changes (sim/REST_API.md "Changes"): wire shapes and mapping.

Reshop answers fares for the new journey with the booking's total before and after; a change is
made once per our reference and answered as the booking; undo restores the booking as it was.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from connectors.change_model import SliceChangeOffer
from connectors.model import Conditions, SliceQuery
from connectors.rest import wire
from connectors.rest.mapping import to_slice


class ReshopRequest(msgspec.Struct, frozen=True):
    journey: int
    to: wire.Journey
    max_stops: int


class ChangeFare(msgspec.Struct, frozen=True):
    fare_id: str
    valid_until: dt.datetime
    price: wire.Price
    old_total: wire.Price
    new_total: wire.Price
    seats_left: int
    refundable: bool
    changeable: bool
    journey: wire.FareJourney


class ReshopResponse(msgspec.Struct, frozen=True):
    fares: tuple[ChangeFare, ...]


class ChangeRequest(msgspec.Struct, frozen=True):
    journey: int
    fare_id: str
    reference: str


def reshop_request(slice_index: int, query: SliceQuery, *, max_connections: int) -> ReshopRequest:
    return ReshopRequest(
        journey=slice_index,
        to=wire.Journey(query.origin, query.destination, query.departure_date),
        max_stops=max_connections,
    )


def to_change_offers(answer: ReshopResponse) -> list[SliceChangeOffer]:
    return [
        SliceChangeOffer(
            supplier_fare_id=fare.fare_id,
            slice=to_slice(fare.journey),
            fare_amount=fare.price.total,
            tax_difference=fare.new_total.taxes - fare.old_total.taxes,
            old_total=fare.old_total.total,
            new_total=fare.new_total.total,
            currency=fare.new_total.currency,
            conditions=Conditions(refundable=fare.refundable, changeable=fare.changeable),
            seats_remaining=fare.seats_left,
            expires_at=fare.valid_until,
        )
        for fare in answer.fares
    ]
