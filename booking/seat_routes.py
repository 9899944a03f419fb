"""`GET|POST /v1/orders/{order_id}/seats`: an order's seats, and choosing them (seats.py)."""

from __future__ import annotations

import msgspec
from aiohttp import web

from booking.model import ORDER_ID_SCHEMA
from booking.seats import ChooseSeatsRequest, OrderSeatDesk, OrderSeats, parse_choose_seats
from kernel.auth import principal as caller
from kernel.http import json_object, read_json_body
from kernel.openapi import Operation, Parameter

SEAT_DESK = web.AppKey("order_seat_desk", OrderSeatDesk)
_encoder = msgspec.json.Encoder()


def _json(payload: object) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload),
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def get_seats(request: web.Request) -> web.Response:
    desk = request.config_dict[SEAT_DESK]
    return _json(await desk.seats(caller(request), request.match_info["order_id"]))


async def choose_seats(request: web.Request) -> web.Response:
    principal = caller(request)
    services = parse_choose_seats(json_object(await read_json_body(request)))
    desk = request.config_dict[SEAT_DESK]
    return _json(await desk.choose(principal, request.match_info["order_id"], services))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/orders/{order_id}/seats", get_seats, name="order_seats", allow_head=False)
    router.add_post("/v1/orders/{order_id}/seats", choose_seats, name="order_seats_choose")


_ORDER_ID = Parameter(
    "order_id", "path", "An order id (`ord_...`)", required=True, schema=ORDER_ID_SCHEMA
)
_AUTH_ERRORS = {
    401: "Missing, malformed, expired or wrongly signed Bearer token",
    429: "Past this traveler's rate limit on order and payment routes; see Retry-After",
    503: "The orders database or the airline cannot be reached now",
}
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/orders/{order_id}/seats",
        operation_id="get_order_seats",
        summary="The seat each passenger of the order holds on each segment, with its price",
        tag="orders",
        response=OrderSeats,
        parameters=(_ORDER_ID,),
        errors={**_AUTH_ERRORS, 404: "No such order, or another traveler's"},
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/seats",
        operation_id="choose_order_seats",
        summary=(
            "Choose or change seats on a held, unpaid order (more than 24 h before departure): "
            "each seat's price is added to total_amount"
        ),
        tag="orders",
        request=ChooseSeatsRequest,
        response=OrderSeats,
        parameters=(_ORDER_ID,),
        errors={
            **_AUTH_ERRORS,
            400: "Malformed JSON",
            404: "No such order, or another traveler's",
            409: (
                "The seat is taken (the problem names it), the order is not held and unpaid, "
                "or the flight leaves within 24 hours"
            ),
            413: "Body too large",
            415: "Not JSON",
            422: (
                "A bad field (named), or a seat closed to the passenger by a rule "
                "(exit_row_child, exit_row_infant)"
            ),
        },
        security=("bearer",),
    ),
)
