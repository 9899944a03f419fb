"""Managing a booked trip: the order's history and cancellation quotes (docs/api.md "Orders").

Thin views over `OrderService` (history) and `CancellationService` (booking/cancellations.py);
each declares `security=("bearer",)`, so the caller is authenticated before the view runs.
Another traveler's order is 404, as for every order route; support sees every order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
from aiohttp import web

from booking.cancellation_terms import CancellationStatus, Quote, RefundTo
from booking.cancellations import CancellationService
from booking.history import OrderHistory, history_view
from booking.model import Order
from booking.money import OrderMoney
from booking.order_view import OrderView
from booking.ports import RefundPart
from booking.routes import ORDER_ID_PARAMETER, ORDER_SERVICE
from kernel.auth import principal as caller
from kernel.http import refuse_body
from kernel.openapi import Operation, Parameter

CANCELLATIONS = web.AppKey("cancellations", CancellationService)

_encoder = msgspec.json.Encoder()


class CancellationView(msgspec.Struct, frozen=True, kw_only=True):
    """A cancellation quote: what cancelling gives back (`refund_amount`, to `refund_to`: the
    card that paid; null when nothing was paid) and what the fare keeps (`penalty_amount`),
    valid until `expires_at`; `status` becomes `confirmed` once performed. `order` is the
    order as it is now; `refunds`, once confirmed, where the refund went: one part per charge
    of the order (its payment, a change's difference, seats bought later), latest first."""

    id: str
    order_id: str
    status: CancellationStatus
    refund_amount: Decimal
    refund_currency: str
    refund_to: RefundTo | None
    penalty_amount: Decimal
    penalty_currency: str
    expires_at: dt.datetime
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    order: OrderView
    refunds: tuple[RefundPart, ...] = ()

    @classmethod
    def of(
        cls,
        quote: Quote,
        order: Order,
        refunds: tuple[RefundPart, ...] = (),
        money: OrderMoney | None = None,
    ) -> CancellationView:
        return cls(
            id=quote.id,
            order_id=quote.order_id,
            status=quote.status,
            refund_amount=quote.refund_amount,
            refund_currency=quote.currency,
            refund_to=quote.refund_to,
            penalty_amount=quote.penalty_amount,
            penalty_currency=quote.currency,
            expires_at=quote.expires_at,
            created_at=quote.created_at,
            confirmed_at=quote.confirmed_at,
            order=OrderView.of(order, money),
            refunds=refunds,
        )


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload), status=status, content_type="application/json"
    )


async def order_history(request: web.Request) -> web.Response:
    principal = caller(request)
    service = request.config_dict[ORDER_SERVICE]
    order = await service.get(principal, request.match_info["order_id"])
    entries = await service.repository.history(order.id)
    return _json(history_view(order, entries, principal))


async def quote_cancellation(request: web.Request) -> web.Response:
    principal = caller(request)
    await refuse_body(request)
    order_id = request.match_info["order_id"]
    cancellations = request.config_dict[CANCELLATIONS]
    quote, order = await cancellations.quote(principal, order_id)
    money = await request.config_dict[ORDER_SERVICE].money_of(order)
    return _json(CancellationView.of(quote, order, money=money), status=201)


async def confirm_cancellation(request: web.Request) -> web.Response:
    principal = caller(request)
    await refuse_body(request)
    order_id, quote_id = request.match_info["order_id"], request.match_info["cancellation_id"]
    service = request.config_dict[CANCELLATIONS]
    quote, order = await service.confirm(principal, order_id, quote_id)
    refunds = await service.refunds_of(quote)
    money = await request.config_dict[ORDER_SERVICE].money_of(order)
    return _json(CancellationView.of(quote, order, refunds, money))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(
        "/v1/orders/{order_id}/history", order_history, name="orders_history", allow_head=False
    )
    router.add_post(
        "/v1/orders/{order_id}/cancellations", quote_cancellation, name="cancellations_create"
    )
    router.add_post(
        "/v1/orders/{order_id}/cancellations/{cancellation_id}/confirm",
        confirm_cancellation,
        name="cancellations_confirm",
    )


_CANCELLATION_ID = Parameter(
    "cancellation_id",
    "path",
    "A cancellation quote's id (`ocr_...`)",
    required=True,
    schema={"type": "string", "pattern": "^ocr_[0-9a-f]{24}$"},
)
_AUTH_ERRORS = {
    401: "Missing, malformed, expired or wrongly signed Bearer token",
    429: "Past this traveler's rate limit on order and payment routes; see Retry-After",
    503: "The orders database (or the airline) cannot be reached now; retry after Retry-After s",
}
_NOT_FOUND = "No such order, or another traveler's"
_QUOTE_ID = "$response.body#/id"
_QUOTED_ORDER = "$response.body#/order_id"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/orders/{order_id}/history",
        operation_id="get_order_history",
        summary=(
            "Every change of the order's status or payment status, oldest first: when, from "
            "what to what, why, and who (the traveler, a support agent, or the system: "
            "booking, sweeper, reconciler, webhook)"
        ),
        tag="orders",
        response=OrderHistory,
        parameters=(ORDER_ID_PARAMETER,),
        errors={**_AUTH_ERRORS, 404: _NOT_FOUND},
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/cancellations",
        operation_id="create_cancellation",
        summary=(
            "Quote cancelling the order, valid a few minutes: the refund by fare conditions "
            "of all that was paid (the order's payment, a change's difference, seats bought "
            "after booking) — refundable: everything, seats included; non-refundable: the "
            "taxes, seats kept; unpaid: nothing — to the cards that paid, and the penalty "
            "kept. Nothing changes until it is confirmed"
        ),
        tag="orders",
        response_status=201,
        response=CancellationView,
        parameters=(ORDER_ID_PARAMETER,),
        errors={
            **_AUTH_ERRORS,
            404: _NOT_FOUND,
            409: (
                "The order is over (cancelled or expired), a payment of it is in progress, or "
                "its first flight has left (support may still cancel it; the problem's "
                "`departed_at` then says when, in UTC)"
            ),
        },
        security=("bearer",),
        links={
            "ConfirmCancellation": {
                "operationId": "confirm_cancellation",
                "parameters": {"order_id": _QUOTED_ORDER, "cancellation_id": _QUOTE_ID},
            },
        },
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/cancellations/{cancellation_id}/confirm",
        operation_id="confirm_cancellation",
        summary=(
            "Cancel the order exactly as quoted: the airline releases the seats, the quoted "
            "refund is owed with the cancel, split across the order's charges (latest first, "
            "each at most what it took) and sent to the cards; the order's history says what "
            "went where. Confirming again answers the confirmed quote"
        ),
        tag="orders",
        response=CancellationView,
        parameters=(ORDER_ID_PARAMETER, _CANCELLATION_ID),
        errors={
            **_AUTH_ERRORS,
            404: "No such order or quote, or another traveler's",
            409: (
                "The order changed since the quote (paid, cancelled or expired meanwhile): ask "
                "for a new quote; its first flight has left since (`departed_at` says when); "
                "or the airline refused"
            ),
            410: "The quote expired: ask for a new one",
        },
        security=("bearer",),
    ),
)
