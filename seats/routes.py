"""`GET /v1/seat_maps?offer_id=…`: one seat map per segment of an offer (docs/api.md "Seats")."""

from __future__ import annotations

from aiohttp import web

from kernel.errors import FieldError, ValidationFailed
from kernel.openapi import Operation, Parameter
from kernel.query import query_params
from seats import metrics
from seats.service import SeatMapService
from seats.view import SeatMapsResponse

SEAT_MAP_SERVICE = web.AppKey("seat_map_service", SeatMapService)
OFFER_ID_MAX = 2048


async def get_seat_maps(request: web.Request) -> web.Response:
    query, errors = query_params(request.query.items(), ("offer_id",))
    offer_id = query.get("offer_id", "")
    if not offer_id:
        errors.append(FieldError("query.offer_id", "required: an offer id from a search"))
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


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/seat_maps", get_seat_maps, name="seat_maps", allow_head=False)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/seat_maps",
        operation_id="get_seat_maps",
        summary=(
            "Seat maps of an offer, one per segment, shaped for drawing (cached for seconds: "
            "X-Cache HIT | MISS); an airline without seat maps answers an empty list"
        ),
        tag="seats",
        response=SeatMapsResponse,
        parameters=(
            Parameter(
                "offer_id",
                "query",
                "An offer id from a search (`off_…`)",
                True,
                {"type": "string", "minLength": 1, "maxLength": OFFER_ID_MAX},
            ),
        ),
        errors={
            404: "Unknown offer id",
            410: "The offer expired or sold out",
            422: "`offer_id` is missing or malformed, or an unknown parameter was given",
            503: "The airline cannot be reached now",
        },
    ),
)
