"""`/_sim/inventory`: read and set the seats left on one flight leg (for tests and demos).

`PUT /_sim/inventory` `{"carrier": "BA", "number": "117", "date": "2026-12-20", "cabin": "Y",
"seats_left": 3}` leaves exactly that many seats for sale (and freezes the leg's price, see
`Inventory.set_seats_left`); `GET /_sim/inventory?carrier=BA&number=117&date=2026-12-20&cabin=Y`
answers `{"seats_left": n, "capacity": c}`. `date` is the local departure date at the origin.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from aiohttp import web

from sim.catalog import Cabin
from sim.control import error_response, json_response
from sim.inventory import Inventory
from sim.schedule import Flight, Schedule


class Leg(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    carrier: str
    number: str
    date: dt.date
    cabin: Cabin = "Y"


class SetSeats(Leg, frozen=True, forbid_unknown_fields=True):
    seats_left: Annotated[int, msgspec.Meta(ge=0)] = 0


class SeatControl:
    """The shared schedule and inventory, as the control endpoints reach them."""

    def __init__(self, schedule: Schedule, inventory: Inventory) -> None:
        self.schedule = schedule
        self.inventory = inventory

    def flight(self, leg: Leg) -> Flight | None:
        flight = self.schedule.flight(leg.carrier.upper(), leg.number)
        if flight is None or self.inventory.capacity(flight, leg.cabin) == 0:
            return None
        return flight


SEAT_CONTROL: web.AppKey[SeatControl] = web.AppKey("sim_seat_control", SeatControl)
_set_decoder = msgspec.json.Decoder(SetSeats)


def _answer(control: SeatControl, flight: Flight, leg: Leg) -> web.Response:
    inventory = control.inventory
    return json_response(
        {
            "seats_left": inventory.seats_left(flight, leg.date, leg.cabin),
            "capacity": inventory.capacity(flight, leg.cabin),
        }
    )


async def get_inventory(request: web.Request) -> web.Response:
    try:
        leg = msgspec.convert(dict(request.query), Leg, strict=False)
    except msgspec.ValidationError as exc:
        return error_response(400, "bad_request", str(exc))
    control = request.app[SEAT_CONTROL]
    flight = control.flight(leg)
    if flight is None:
        return error_response(404, "flight_not_found", f"no flight {leg.carrier}{leg.number}")
    return _answer(control, flight, leg)


async def put_inventory(request: web.Request) -> web.Response:
    try:
        change = _set_decoder.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    control = request.app[SEAT_CONTROL]
    flight = control.flight(change)
    if flight is None:
        return error_response(404, "flight_not_found", f"no flight {change.carrier}{change.number}")
    if change.seats_left > control.inventory.capacity(flight, change.cabin):
        return error_response(400, "bad_request", "seats_left: more than the cabin holds")
    control.inventory.set_seats_left(flight, change.date, change.cabin, change.seats_left)
    return _answer(control, flight, change)


def install_seat_control(app: web.Application, schedule: Schedule, inventory: Inventory) -> None:
    app[SEAT_CONTROL] = SeatControl(schedule, inventory)
    app.router.add_get("/_sim/inventory", get_inventory, name="sim_inventory")
    app.router.add_put("/_sim/inventory", put_inventory, name="sim_inventory_set")
