"""Pure translation between the REST airline's wire shapes and Skyfare's domain (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from connectors import errors, offer_ids
from connectors.model import (
    BaggageAllowance,
    CabinClass,
    Conditions,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    Owner,
    Passengers,
    PricedOffer,
    Segment,
    Slice,
    iso_duration,
)
from connectors.rest import wire

CABIN_TO_WIRE: dict[CabinClass, wire.CabinCode] = {
    "economy": "Y",
    "premium_economy": "W",
    "business": "C",
    "first": "F",
}
CABIN_FROM_WIRE: dict[wire.CabinCode, CabinClass] = {v: k for k, v in CABIN_TO_WIRE.items()}
_PAX_TYPE = {"adult": "ADT", "child": "CHD", "infant": "INF"}
_STATUS = {"HELD": "held", "TICKETED": "ticketed", "CANCELLED": "cancelled"}
_GENDER = {"m": "M", "f": "F", "x": "X"}


def to_shopping_request(query: FlightQuery) -> wire.ShoppingRequest:
    pax = query.passengers
    return wire.ShoppingRequest(
        journeys=tuple(
            wire.Journey(origin=s.origin, destination=s.destination, date=s.departure_date)
            for s in query.slices
        ),
        travellers=wire.Travellers(ADT=pax.adults, CHD=pax.children, INF=pax.infants),
        cabin=CABIN_TO_WIRE[query.cabin_class],
        max_stops=query.max_connections,
        currency=query.currency,
    )


def to_offer(fare: wire.Fare, *, source: str, owner: Owner) -> Offer:
    return Offer(
        id=offer_ids.encode(source, fare.fare_id),
        total_amount=fare.price.total,
        total_currency=fare.price.currency,
        base_amount=fare.price.base,
        tax_amount=fare.price.taxes,
        owner=owner,
        source=source,
        expires_at=fare.valid_until,
        seats_remaining=fare.seats_left,
        conditions=Conditions(refundable=fare.refundable, changeable=fare.changeable),
        slices=tuple(to_slice(j) for j in fare.journeys),
        passengers=Passengers(
            adults=fare.travellers.ADT, children=fare.travellers.CHD, infants=fare.travellers.INF
        ),
    )


def to_priced_offer(answer: wire.PricingResponse, *, source: str, owner: Owner) -> PricedOffer:
    offer = to_offer(answer.fare, source=source, owner=owner)
    return PricedOffer(**msgspec.structs.asdict(offer), price_changed=answer.price_changed)


def to_slice(journey: wire.FareJourney) -> Slice:
    legs = journey.legs
    return Slice(
        origin=legs[0].origin,
        destination=legs[-1].destination,
        duration=iso_duration(journey.duration_minutes),
        segments=tuple(
            Segment(
                marketing_carrier=leg.carrier,
                flight_number=f"{leg.carrier}{leg.number}",
                origin=leg.origin,
                destination=leg.destination,
                departing_at=leg.depart_local,
                arriving_at=leg.arrive_local,
                aircraft=leg.equipment,
                cabin_class=CABIN_FROM_WIRE[leg.cabin],
                baggages=None if leg.baggage is None else baggages(leg.baggage),
            )
            for leg in legs
        ),
    )


def to_booking_request(
    fare_id: str, passengers: Sequence[HoldPassenger], *, reference: str
) -> wire.BookingRequest:
    return wire.BookingRequest(
        fare_id=fare_id,
        reference=reference,
        passengers=tuple(
            wire.BookingPassenger(
                type=_PAX_TYPE[p.type],  # type: ignore[arg-type]
                first_name=p.given_name,
                last_name=p.family_name,
                birth_date=p.born_on,
                gender=_GENDER[p.gender],  # type: ignore[arg-type]
                lap_infant=p.lap_infant,
            )
            for p in passengers
        ),
    )


def to_hold(booking: wire.Booking) -> Hold:
    return Hold(
        locator=booking.locator,
        reference=booking.reference,
        status=_STATUS[booking.status],  # type: ignore[arg-type]
        total_amount=booking.price.total,
        total_currency=booking.price.currency,
        payment_required_by=booking.pay_by,
        ticket_numbers=booking.tickets,
    )


_REJECTIONS: dict[str, type[errors.SupplierRejected]] = {
    "fare_not_found": errors.OfferNotFound,
    "fare_expired": errors.OfferExpired,
    "sold_out": errors.SoldOut,
    "booking_not_found": errors.HoldNotFound,
    "booking_cancelled": errors.InvalidRequest,
    "invalid_passengers": errors.InvalidRequest,
    "bad_request": errors.InvalidRequest,
    "unsupported_currency": errors.InvalidRequest,
    "seat_unavailable": errors.SeatUnavailable,
    "not_changeable": errors.NotChangeable,
    "change_not_found": errors.ChangeNotFound,
    "invalid_fare": errors.InvalidRequest,
}


def error_for(
    status: int, body: wire.ErrorResponse | None, *, airline: str
) -> errors.ConnectorError:
    """The domain error for a non-2xx answer: business codes become `SupplierRejected`s."""
    if status >= 500 or body is None:
        return errors.ConnectorUnavailable(f"{airline} answered HTTP {status}")
    code = body.error.code
    message = f"{airline}: {code}" + (f" ({body.error.message})" if body.error.message else "")
    if code == "price_changed" and body.error.price is not None:
        price = body.error.price
        return errors.PriceChanged(message, new_amount=price.total, currency=price.currency)
    if code == "seat_restricted":
        rule = body.error.message.rpartition(": ")[2]
        return errors.SeatRestricted(message, rule=rule)
    return _REJECTIONS.get(code, errors.InvalidRequest)(message)


def baggages(bags: wire.Baggage) -> tuple[BaggageAllowance, ...]:
    """The airline's per-leg allowance as ours: only the kinds it includes (zero pieces: none)."""
    found: list[BaggageAllowance] = []
    if bags.checked is not None and bags.checked.pieces > 0:
        found.append(BaggageAllowance("checked", bags.checked.pieces, bags.checked.max_kg))
    if bags.cabin is not None and bags.cabin.pieces > 0:
        found.append(BaggageAllowance("carry_on", bags.cabin.pieces))
    return tuple(found)
