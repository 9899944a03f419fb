"""`GET /v1/seat_maps?offer_id=…` (anyone) or `?order_id=…` (the order's traveler): one seat map
per segment (docs/api.md "Seats").

An order's seat map is the traveler's own (their seats shown available to them, `pas_N` their
passengers), so `order_id` takes a Bearer token, checked first, and another traveler's order is
404. The gateway sends those requests to the booking service, which knows orders
(`ORDER_LOOKUP`); offer maps stay on the search path.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from kernel.auth import AUTHENTICATE, Principal
from kernel.errors import FieldError, ServiceUnavailable, ValidationFailed
from kernel.openapi import Operation, Parameter
from kernel.query import query_params
from seats import metrics
from seats.service import SeatMapService
from seats.view import BookingOfOrder, SeatMapsResponse

OFFER_ID_MAX = 2048


class OrderLookup(Protocol):
    """Finds the airline booking of a traveler's order (the booking service's)."""

    async def booking(self, principal: Principal, order_id: str) -> BookingOfOrder:
        """The caller's order's booking; `NotFound` for an unknown order or another
        traveler's, `Conflict` for one the airline holds nothing for."""


SEAT_MAP_SERVICE = web.AppKey("seat_map_service", SeatMapService)
ORDER_LOOKUP = web.AppKey("seat_map_order_lookup", OrderLookup)


async def get_seat_maps(request: web.Request) -> web.Response:
    if "order_id" in request.query:
        return await _order_seat_maps(request)
    query, errors = query_params(request.query.items(), ("offer_id",))
    offer_id = query.get("offer_id", "")
    if not offer_id:
        errors.append(FieldError("query.offer_id", "required: an offer id (or an order_id)"))
    elif len(offer_id) > OFFER_ID_MAX or not offer_id.isprintable():
        errors.append(FieldError("query.offer_id", "must be an offer id (`off_…`)"))
    if errors:
        raise ValidationFailed(errors)
    body, hit = await request.config_dict[SEAT_MAP_SERVICE].for_offer(offer_id)
    metrics.seat_map(hit)
    return web.Response(
        body=body,
        content_type="application/json",
        headers={"X-Cache": "HIT" if hit else "MISS"},
    )


async def _order_seat_maps(request: web.Request) -> web.Response:
    authenticate = request.config_dict.get(AUTHENTICATE)
    lookup = request.config_dict.get(ORDER_LOOKUP)
    if authenticate is None or lookup is None:
        raise ServiceUnavailable("order seat maps are served by the booking service")
    principal = await authenticate(request)  # before anything about the request is told
    query, errors = query_params(request.query.items(), ("order_id", "offer_id"))
    if "offer_id" in query:  # each alone is valid: "unknown parameter" would say nothing
        errors.append(FieldError("query.offer_id", "not with order_id: give one of the two"))
    order_id = query.get("order_id", "")
    if not order_id:
        errors.append(FieldError("query.order_id", "required: an order id (`ord_…`)"))
    if errors:
        raise ValidationFailed(errors)
    booking = await lookup.booking(principal, order_id)
    body = await request.config_dict[SEAT_MAP_SERVICE].for_booking(
        booking.connector, booking.locator, booking.carriers
    )
    metrics.seat_map(False)
    return web.Response(
        body=body, content_type="application/json", headers={"Cache-Control": "no-store"}
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/seat_maps", get_seat_maps, name="seat_maps", allow_head=False)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/seat_maps",
        operation_id="get_seat_maps",
        validates_query=True,  # its view names undeclared parameters too
        summary=(
            "Seat maps of an offer (anyone; cached for seconds: X-Cache HIT | MISS) or of an "
            "order (`order_id`: its traveler's Bearer token; their own seats shown available, "
            "never cached), one per segment, shaped for drawing; an airline without seat maps "
            "answers an empty list"
        ),
        tag="seats",
        response=SeatMapsResponse,
        parameters=(
            Parameter(
                "offer_id",
                "query",
                "An offer id from a search (`off_…`); or give order_id",
                False,
                {"type": "string", "minLength": 1, "maxLength": OFFER_ID_MAX},
            ),
            Parameter(
                "order_id",
                "query",
                "One of the caller's orders (`ord_…`), with a Bearer token",
                False,
                {"type": "string", "pattern": "^ord_[0-9a-f]{24}$"},
            ),
        ),
        errors={
            401: "order_id without a valid Bearer token",
            429: "order_id: past this traveler's rate limit; see Retry-After",
            404: "Unknown offer id, or no such order of the caller's",
            409: (
                "The order holds nothing at the airline (cancelled, expired): `refusal` is "
                "order_closed"
            ),
            410: "The offer expired or sold out",
            422: "Neither `offer_id` nor `order_id`, a malformed one, or an unknown parameter",
            503: "The airline cannot be reached now",
        },
    ),
)
