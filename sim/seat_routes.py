"""The REST airline's seat endpoints (see sim/seat_wire.py for the documents)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from aiohttp import web

from sim import errors
from sim.airline import SimAirline
from sim.control import json_response
from sim.seat_sales import (
    SeatChoice,
    booking_seat_maps,
    booking_seats,
    choose_seats,
    fare_seat_maps,
)
from sim.seat_wire import SeatMapsRequest, SeatsRequest, seat_maps_response, seats_response

T = TypeVar("T")
_maps_request = msgspec.json.Decoder(SeatMapsRequest)
_seats_request = msgspec.json.Decoder(SeatsRequest)


def add_routes(router: web.UrlDispatcher, key: web.AppKey[SimAirline]) -> None:
    async def fare_maps(request: web.Request) -> web.Response:
        body = _decode(_maps_request, await request.read())
        return json_response(seat_maps_response(fare_seat_maps(request.app[key], body.fare_id)))

    async def booking_maps(request: web.Request) -> web.Response:
        maps = booking_seat_maps(request.app[key], request.match_info["locator"])
        return json_response(seat_maps_response(maps))

    async def seats(request: web.Request) -> web.Response:
        airline = request.app[key]
        locator = request.match_info["locator"]
        if request.method == "GET":
            return json_response(
                seats_response(locator, booking_seats(airline, airline.booking(locator)))
            )
        body = _decode(_seats_request, await request.read())
        choices = [SeatChoice(s.leg, s.passenger, s.seat) for s in body.seats]
        booking = choose_seats(airline, locator, choices)
        return json_response(seats_response(booking.locator, booking_seats(airline, booking)))

    router.add_post("/seatmaps", fare_maps, name="seatmaps")
    router.add_get("/bookings/{locator}/seatmaps", booking_maps, name="booking_seatmaps")
    router.add_get("/bookings/{locator}/seats", seats, name="booking_seats")
    router.add_post("/bookings/{locator}/seats", seats, name="choose_seats")


def _decode(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise errors.bad_request(str(exc)) from exc
