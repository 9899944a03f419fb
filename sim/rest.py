"""The REST airline endpoints of REST_API.md: one aiohttp sub-application per airline.

Views decode with module-level typed decoders, call one `SimAirline` method and encode the
answer; an `AirlineError` becomes the airline's error document in one middleware.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler

from sim import errors, seat_routes, wire
from sim.airline import Quote, SimAirline
from sim.answer_templates import AnswerTemplates
from sim.bookings import Booking
from sim.catalog import AirlineSpec
from sim.change_wire import ChangeFare, ChangeRequest, ReshopRequest, ReshopResponse
from sim.changes import ChangeDesk, ChangeOption
from sim.control import Behaviour, json_response
from sim.fares import CONDITIONS

T = TypeVar("T")

AIRLINE: web.AppKey[SimAirline] = web.AppKey("sim_airline", SimAirline)
_shopping = msgspec.json.Decoder(wire.ShoppingRequest)
_pricing = msgspec.json.Decoder(wire.PricingRequest)
_booking = msgspec.json.Decoder(wire.BookingRequest)
_reshop = msgspec.json.Decoder(ReshopRequest)
_change = msgspec.json.Decoder(ChangeRequest)
CHANGES: web.AppKey[ChangeDesk] = web.AppKey("sim_changes", ChangeDesk)


def airline_app(airline: SimAirline, behaviour: Behaviour) -> web.Application:
    """The endpoints of `airline`, behaving as its profile says (mount at `/rest/<slug>`)."""
    app = web.Application(middlewares=[behaviour.middleware(airline.spec.slug), _airline_errors])
    app[AIRLINE] = airline
    app[CHANGES] = ChangeDesk(airline)
    app.router.add_get("/network", network, name="network")
    app.router.add_post("/shopping", shopping, name="shopping")
    app.router.add_post("/pricing", pricing, name="pricing")
    app.router.add_post("/bookings", create_booking, name="bookings")
    app.router.add_get("/bookings", retrieve_booking, name="retrieve")
    app.router.add_post("/bookings/{locator}/ticket", ticket_booking, name="ticket")
    app.router.add_post("/bookings/{locator}/cancel", cancel_booking, name="cancel")
    app.router.add_post("/bookings/{locator}/reshop", reshop_booking, name="reshop")
    app.router.add_post("/bookings/{locator}/changes", change_booking, name="change")
    app.router.add_post(
        "/bookings/{locator}/changes/{reference}/undo", undo_change, name="undo_change"
    )
    seat_routes.add_routes(app.router, AIRLINE)
    return app


@web.middleware
async def _airline_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.AirlineError as exc:
        price = None if exc.price is None else wire.price(exc.price)
        body = wire.ErrorResponse(wire.ErrorBody(exc.code, exc.message, price))
        return json_response(body, exc.status)


async def network(request: web.Request) -> web.Response:
    airline = request.app[AIRLINE]
    spec = airline.spec
    return json_response(wire.NetworkResponse(wire.Carrier(spec.code, spec.name), airline.airports))


async def shopping(request: web.Request) -> web.Response:
    query = _decode(_shopping, await request.read())
    airline = request.app[AIRLINE]
    body = _SHOPPING.answer(airline.shop(query), airline.spec)
    return web.Response(body=body, content_type="application/json")


def _shopping_body(quotes: Sequence[Quote], seller: AirlineSpec) -> bytes:
    return _encoder.encode(wire.ShoppingResponse(tuple(fare_to_wire(q) for q in quotes)))


def _shopping_variables(quote: Quote) -> tuple[str, str]:
    return quote.fare_id, _encoder.encode(quote.key.expires_at)[1:-1].decode()


_encoder = msgspec.json.Encoder()
_SHOPPING = AnswerTemplates(_shopping_body, _shopping_variables)


async def pricing(request: web.Request) -> web.Response:
    body = _decode(_pricing, await request.read())
    quote, changed = request.app[AIRLINE].price(body.fare_id)
    return json_response(wire.PricingResponse(fare_to_wire(quote), changed))


async def create_booking(request: web.Request) -> web.Response:
    body = _decode(_booking, await request.read())
    booking, created = request.app[AIRLINE].book(body)
    return _booking_response(booking, 201 if created else 200)


async def retrieve_booking(request: web.Request) -> web.Response:
    reference = request.query.get("reference")
    if not reference:
        raise errors.bad_request("reference: required query parameter")
    return _booking_response(request.app[AIRLINE].retrieve(reference))


async def ticket_booking(request: web.Request) -> web.Response:
    return _booking_response(request.app[AIRLINE].ticket(request.match_info["locator"]))


async def cancel_booking(request: web.Request) -> web.Response:
    return _booking_response(request.app[AIRLINE].cancel(request.match_info["locator"]))


async def reshop_booking(request: web.Request) -> web.Response:
    body = _decode(_reshop, await request.read())
    options = request.app[CHANGES].reshop(
        request.match_info["locator"], body.journey, body.to, max_stops=body.max_stops
    )
    return json_response(ReshopResponse(tuple(_change_fare(o) for o in options)))


async def change_booking(request: web.Request) -> web.Response:
    body = _decode(_change, await request.read())
    locator = request.match_info["locator"]
    booking = request.app[CHANGES].change(locator, body.journey, body.fare_id, body.reference)
    return _booking_response(booking)


async def undo_change(request: web.Request) -> web.Response:
    match = request.match_info
    return _booking_response(request.app[CHANGES].undo(match["locator"], match["reference"]))


def _change_fare(option: ChangeOption) -> ChangeFare:
    fare = fare_to_wire(option.quote)
    return ChangeFare(
        fare_id=fare.fare_id,
        valid_until=fare.valid_until,
        price=fare.price,
        old_total=wire.price(option.old_total),
        new_total=wire.price(option.new_total),
        seats_left=fare.seats_left,
        refundable=fare.refundable,
        changeable=fare.changeable,
        journey=fare.journeys[0],
    )


def _decode(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise errors.bad_request(str(exc)) from exc


def fare_to_wire(quote: Quote) -> wire.Fare:
    key = quote.key
    refundable, changeable = CONDITIONS[key.cabin]
    return wire.Fare(
        fare_id=quote.fare_id,
        valid_until=key.expires_at,
        price=wire.price(quote.price),
        seats_left=quote.seats_left,
        travellers=wire.Travellers(ADT=key.adults, CHD=key.children, INF=key.infants),
        refundable=refundable,
        changeable=changeable,
        journeys=tuple(wire.journey(legs, key.cabin) for legs in quote.journeys),
    )


def _booking_response(booking: Booking, status: int = 200) -> web.Response:
    body = wire.BookingResponse(
        wire.Booking(
            locator=booking.locator,
            reference=booking.reference,
            status=booking.status,
            price=wire.price(booking.price),
            pay_by=booking.pay_by,
            tickets=booking.tickets,
        )
    )
    return json_response(body, status)
