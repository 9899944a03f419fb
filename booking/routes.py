"""Order routes: thin views over `OrderService` (docs/api.md "Orders").

Each declares `security=("bearer",)`: the plumbing authenticates the caller before the view runs
(skyfare/guard.py), so a 401 comes before any check made here.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from aiohttp import web

from booking.idempotency import HEADER, fingerprint, key_of
from booking.model import (
    ORDER_ID_SCHEMA,
    VISIBLE_STATUSES,
    CreateOrderRequest,
    Passenger,
    TravelerPassenger,
)
from booking.order_view import OrderList, OrderView
from booking.pagination import LIMIT_DEFAULT, LIMIT_MAX, STATUS_VALUES, parse_page
from booking.service import OrderService
from booking.validation import parse_order_body
from kernel.auth import principal as caller
from kernel.cursors import ListMeta, encode_cursor
from kernel.http import json_object, read_json_body, refuse_body
from kernel.openapi import Operation, Parameter

ORDER_SERVICE = web.AppKey("order_service", OrderService)

_encoder = msgspec.json.Encoder()


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload), status=status, content_type="application/json"
    )


async def create_order(request: web.Request) -> web.Response:
    principal = caller(request)
    key = key_of(request.headers.getall(HEADER, []))
    data = json_object(await read_json_body(request))
    order = parse_order_body(data, today=_today())
    fp = fingerprint(request.method, request.path, data)
    answer = await request.config_dict[ORDER_SERVICE].create(principal, key, order, fp)
    return web.Response(body=answer.body, status=answer.status, content_type="application/json")


async def get_order(request: web.Request) -> web.Response:
    principal = caller(request)
    service = request.config_dict[ORDER_SERVICE]
    order, money = await service.get_with_money(principal, request.match_info["order_id"])
    return _json(OrderView.of(order, money))


async def list_orders(request: web.Request) -> web.Response:
    principal = caller(request)
    limit, after, only = parse_page(request.query.items())
    page, last = await request.config_dict[ORDER_SERVICE].list_with_money(
        principal, limit=limit, after=after, only=only
    )
    meta = ListMeta(limit=limit, after=None if last is None else encode_cursor(last))
    return _json(OrderList(data=tuple(OrderView.of(o, money) for o, money in page), meta=meta))


async def cancel_order(request: web.Request) -> web.Response:
    principal = caller(request)
    await refuse_body(request)
    service = request.config_dict[ORDER_SERVICE]
    order = await service.cancel(principal, request.match_info["order_id"])
    return _json(OrderView.of(order, await service.money_of(order)))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/v1/orders", create_order, name="orders_create")
    router.add_get("/v1/orders", list_orders, name="orders_list", allow_head=False)
    router.add_get("/v1/orders/{order_id}", get_order, name="orders_get", allow_head=False)
    router.add_post("/v1/orders/{order_id}/cancel", cancel_order, name="orders_cancel")


# The `{order_id}` of every order route (booking's other route modules name it too).
ORDER_ID_PARAMETER = Parameter(
    "order_id", "path", "An order id (`ord_...`)", required=True, schema=ORDER_ID_SCHEMA
)
# Support reads and cancels any order (API.md); changing flights or seats is the traveler's.
SUPPORT_MAY_NOT_CHANGE = (
    "A support token on another traveler's order: support may read and cancel it"
)
_AUTH_ERRORS = {
    401: "Missing, malformed, expired or wrongly signed Bearer token",
    429: "Past this traveler's rate limit on order and payment routes; see Retry-After",
    503: "The orders database (or the airline) cannot be reached now; retry after Retry-After s",
}

_NEW_ORDER_ID = "$response.body#/id"
# `?status=`: one or more visible statuses, comma-separated (booking/pagination.py).
_ONE_STATUS = "|".join(VISIBLE_STATUSES)
_STATUS_LIST = f"^({_ONE_STATUS})(,({_ONE_STATUS}))*$"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="post",
        path="/v1/orders",
        operation_id="create_order",
        summary=(
            "Book an offer: re-priced, then held at the airline until payment_required_by "
            "(type hold). A passenger is given in full, or as one of the caller's saved "
            "travelers (traveler_id: the order keeps a copy). `services` hold seats with the "
            "order (passenger_id pas_N: the N-th of passengers), their prices added to "
            "total_amount; the answer's `seats` shows each passenger's seat per segment. "
            "Idempotent per Idempotency-Key "
            "(kept 24 h, scoped to the caller): the same key and body replays the first answer"
        ),
        tag="orders",
        response_status=201,
        request=CreateOrderRequest,
        response=OrderView,
        referenced=(Passenger, TravelerPassenger),
        parameters=(
            Parameter(
                HEADER,
                "header",
                "Required; a unique value (e.g. a UUID) per new order, reused for its retries",
                required=True,
                schema={"type": "string", "minLength": 1, "maxLength": 255},
            ),
        ),
        errors={
            **_AUTH_ERRORS,
            400: "Missing Idempotency-Key header, or malformed JSON",
            404: "Unknown offer",
            409: (
                "A seat asked for in `services` is taken (the problem names it in detail and "
                "`seats`; no order is created, its hold released), or "
                "the offer no longer has the seats, or its price changed (the problem carries "
                "total_amount, total_currency and the new offer_id), or a request with this "
                "Idempotency-Key is still in progress, or (type limit-reached) the order would "
                "pass one of the traveler's limits on unpaid holds: `limit` names it "
                "(open_holds, held_seats, held_seats_per_flight), `maximum` and `current` say "
                "how far"
            ),
            410: "The offer expired",
            422: (
                "A field is invalid (`errors` names each: passengers must match the offer's "
                "passenger mix and ages; a traveler_id must name one of the caller's saved "
                "travelers; services[i].segment_id, .passenger_id and .designator must name a "
                "segment, a seated passenger and a seat open to them, else the rule: "
                "exit_row_child, exit_row_infant), or the Idempotency-Key was used for another "
                "request"
            ),
        },
        security=("bearer",),
        links={
            "GetOrder": {"operationId": "get_order", "parameters": {"order_id": _NEW_ORDER_ID}},
            "CancelOrder": {
                "operationId": "cancel_order",
                "parameters": {"order_id": _NEW_ORDER_ID},
            },
            "PayOrder": {
                "operationId": "create_payment",
                "parameters": {"order_id": _NEW_ORDER_ID},
                "requestBody": {"card_token": "tok_visa"},
            },
        },
    ),
    Operation(
        method="get",
        path="/v1/orders",
        operation_id="list_orders",
        validates_query=True,  # its view names undeclared parameters too
        summary="The caller's orders (everyone's for support), newest first; pass meta.after "
        "as ?after= for the next page (null on the last page). Each order as its GET shows it, "
        "payment_next_action included (a payment waiting for the traveler's bank)",
        tag="orders",
        response=OrderList,
        parameters=(
            Parameter(
                "limit",
                "query",
                f"Orders per page, 1 to {LIMIT_MAX}",
                schema={
                    "type": "integer",
                    "minimum": 1,
                    "maximum": LIMIT_MAX,
                    "default": LIMIT_DEFAULT,
                },
            ),
            Parameter(
                "after",
                "query",
                "A cursor from meta.after of the previous page: a position (older than that "
                "order), so it stays right whatever the filters",
            ),
            Parameter(
                "status",
                "query",
                f"Only orders in one of these statuses, comma-separated ({STATUS_VALUES}); "
                "all of them when absent",
                schema={"type": "string", "pattern": _STATUS_LIST, "examples": ["held,confirmed"]},
            ),
            Parameter(
                "in_flight",
                "query",
                "true: only orders still in flight (held, or a payment of it under way: what "
                "DELETE /v1/me waits for); false: only the others",
                schema={"type": "boolean"},
            ),
        ),
        errors={
            **_AUTH_ERRORS,
            422: "limit out of range, a cursor this API did not return, a status not listed, "
            "or in_flight not true or false",
        },
        security=("bearer",),
    ),
    Operation(
        method="get",
        path="/v1/orders/{order_id}",
        operation_id="get_order",
        summary="One order: the caller's own (any for support). payment_next_action (null "
        "otherwise): its payment waits for the traveler to confirm it with their bank (3-D "
        "Secure) at url, or to pay with another card instead; a payment_status processing "
        "with no payment_next_action is being charged",
        tag="orders",
        response=OrderView,
        parameters=(ORDER_ID_PARAMETER,),
        errors={**_AUTH_ERRORS, 404: "No such order, or another traveler's"},
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/cancel",
        operation_id="cancel_order",
        summary=(
            "Cancel an order: the airline releases its seats, a paid order is refunded by its "
            "fare conditions (a cancellation quote confirmed at once: a refundable fare gives "
            "back everything paid, seats bought after booking and a change's difference "
            "included; a non-refundable fare its taxes), split across the cards' charges, "
            "latest first. Cancelling a cancelled order answers it, asking again for any "
            "refund still owed"
        ),
        tag="orders",
        response=OrderView,
        parameters=(ORDER_ID_PARAMETER,),
        errors={
            **_AUTH_ERRORS,
            404: "No such order, or another traveler's",
            409: (
                "The order expired (nothing to cancel), or it is paid and refunds are not "
                "enabled, or its first flight has left (support may still cancel it; the "
                "problem's `departed_at` then says when, in UTC), or the airline refused"
            ),
        },
        security=("bearer",),
    ),
)
