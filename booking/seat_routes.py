"""`GET|POST /v1/orders/{order_id}/seats`: an order's seats, and choosing them (seats.py)."""

from __future__ import annotations

import msgspec
from aiohttp import web

from booking.model import OrderSeat
from booking.ports import SeatChargeView
from booking.routes import ORDER_ID_PARAMETER, SUPPORT_MAY_NOT_CHANGE
from booking.seats import ChooseSeatsRequest, OrderSeatDesk, OrderSeats, parse_choose_seats
from kernel.auth import principal as caller
from kernel.http import json_object, read_json_body
from kernel.openapi import Operation

SEAT_DESK = web.AppKey("order_seat_desk", OrderSeatDesk)
_encoder = msgspec.json.Encoder()


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def get_seats(request: web.Request) -> web.Response:
    desk = request.config_dict[SEAT_DESK]
    return _json(await desk.seats(caller(request), request.match_info["order_id"]))


async def choose_seats(request: web.Request) -> web.Response:
    principal = caller(request)
    choice = parse_choose_seats(json_object(await read_json_body(request)))
    desk = request.config_dict[SEAT_DESK]
    order_id = request.match_info["order_id"]
    origin = str(request.url.origin())  # a 3-D Secure bank's way back (never the client's word)
    seats, status = await desk.choose(principal, order_id, choice, origin=origin)
    return _json(seats, status)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/orders/{order_id}/seats", get_seats, name="order_seats", allow_head=False)
    router.add_post("/v1/orders/{order_id}/seats", choose_seats, name="order_seats_choose")


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
        summary=(
            "The seat each passenger of the order holds on each segment, with its price, and "
            "the order's latest seat_charge; its next_action (null otherwise) names the bank's "
            "page while the charge waits for the traveler to confirm it (3-D Secure)"
        ),
        tag="orders",
        response=OrderSeats,
        parameters=(ORDER_ID_PARAMETER,),
        errors={**_AUTH_ERRORS, 404: "No such order, or another traveler's"},
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/seats",
        operation_id="choose_order_seats",
        summary=(
            "Choose or change seats on a held or confirmed order, more than 24 h before "
            "departure (passenger_id pas_N: the order's N-th passenger). Held: each seat's "
            "price is added to total_amount (200). Confirmed (paid): a change costing more than "
            "the seats it replaces charges the difference, net, to payment.card_token and "
            "answers 202 with seat_charge `processing`; the seats are given once the card is "
            "charged (refunded if the airline gave the seat away meanwhile). A card whose bank "
            "asks the traveler to confirm (3-D Secure) adds seat_charge.next_action "
            "{type: redirect_to_url, url}: the browser opens url, the bank's page, which sends "
            "it back to /bank-return; the charge stays processing until the bank answers. A "
            "cheaper or free seat refunds nothing. Mail and SMS tell the traveler"
        ),
        tag="orders",
        request=ChooseSeatsRequest,
        response=OrderSeats,
        referenced=(OrderSeat, SeatChargeView),
        also_success={
            202: (
                "A confirmed order's change waits for its card charge (seat_charge processing; "
                "with next_action while the card's bank waits for the traveler to confirm)"
            )
        },
        parameters=(ORDER_ID_PARAMETER,),
        errors={
            **_AUTH_ERRORS,
            400: "Malformed JSON",
            403: SUPPORT_MAY_NOT_CHANGE,
            404: "No such order, or another traveler's",
            409: (
                "The seat is taken (the problem names it in detail and `seats`), the order is "
                "neither held (unpaid) nor confirmed, a seat charge of it is in progress, or "
                "its airline sells no seats; `refusal` says which (booking/seat_refusals.py): "
                "seat_taken, order_closed, payment_in_progress, order_changed, "
                "seat_charge_in_progress, seats_not_sold, seat_payments_unavailable"
            ),
            413: "Body too large",
            415: "Not JSON",
            422: (
                "A bad field (named: services[i].segment_id, .passenger_id, .designator; "
                "payment.card_token when the change costs money or the card is refused, then "
                "with the gateway's `decline_code`), a seat "
                "closed to the passenger by a rule (exit_row_child, exit_row_infant), or "
                "change_cutoff_24h: the first flight leaves within 24 hours (the problem's "
                "`rule` names it)"
            ),
        },
        security=("bearer",),
    ),
)
