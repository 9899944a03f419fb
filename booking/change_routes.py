"""Changing a booked trip: change offers for one slice and their confirmation (docs: README
"Manage a trip"). Thin views over `ChangeService` (booking/changes.py); each declares
`security=("bearer",)`, so the caller is authenticated before the view runs. Another
traveler's order is 404, as for every order route; support sees every order.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from aiohttp import web

from booking.change_terms import SliceSearch
from booking.change_validation import ConfirmChange, parse_confirm, parse_search
from booking.change_views import ChangeOffers, ChangeOfferView
from booking.changes import ChangeService
from booking.idempotency import HEADER, fingerprint, key_of
from booking.routes import ORDER_ID_PARAMETER, SUPPORT_MAY_NOT_CHANGE
from kernel.auth import principal as caller
from kernel.http import json_object, read_body, read_json_body
from kernel.openapi import Operation, Parameter

CHANGES = web.AppKey("changes", ChangeService)

_encoder = msgspec.json.Encoder()
_NO_STORE = {"Cache-Control": "no-store"}


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload),
        status=status,
        content_type="application/json",
        headers=_NO_STORE,
    )


async def create_changes(request: web.Request) -> web.Response:
    principal = caller(request)
    data = json_object(await read_json_body(request))
    search = parse_search(data, today=dt.datetime.now(dt.UTC).date())
    offers, order = await request.config_dict[CHANGES].quote(
        principal, request.match_info["order_id"], search
    )
    views = tuple(ChangeOfferView.of(o) for o in offers)
    return _json(ChangeOffers(order.id, search.slice_index, views), status=201)


async def get_change(request: web.Request) -> web.Response:
    principal = caller(request)
    match = request.match_info
    offer, order = await request.config_dict[CHANGES].get(
        principal, match["order_id"], match["change_offer_id"]
    )
    return _json(ChangeOfferView.of(offer, order))


async def confirm_change(request: web.Request) -> web.Response:
    principal = caller(request)
    key = key_of(request.headers.getall(HEADER, []))
    raw = await read_body(request)
    # The body is optional (a change that costs nothing needs no card): none is `{}`.
    data = json_object(await read_json_body(request)) if raw else {}
    body = parse_confirm(data)
    fp = fingerprint(request.method, request.path, data)
    match = request.match_info
    origin = str(request.url.origin())  # a 3-D Secure bank's way back (never the client's word)
    answer = await request.config_dict[CHANGES].confirm(
        principal, match["order_id"], match["change_offer_id"], key, body, fp, origin=origin
    )
    return web.Response(
        body=answer.body,
        status=answer.status,
        content_type="application/json",
        headers=_NO_STORE,
    )


async def give_up_change(request: web.Request) -> web.Response:
    principal = caller(request)
    match = request.match_info
    offer, order = await request.config_dict[CHANGES].give_up(
        principal, match["order_id"], match["change_offer_id"]
    )
    return _json(ChangeOfferView.of(offer, order))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/v1/orders/{order_id}/changes", create_changes, name="changes_create")
    router.add_get(
        "/v1/orders/{order_id}/changes/{change_offer_id}",
        get_change,
        name="changes_get",
        allow_head=False,
    )
    router.add_post(
        "/v1/orders/{order_id}/changes/{change_offer_id}/confirm",
        confirm_change,
        name="changes_confirm",
    )
    router.add_post(
        "/v1/orders/{order_id}/changes/{change_offer_id}/cancel",
        give_up_change,
        name="changes_cancel",
    )


_CHANGE_ID = Parameter(
    "change_offer_id",
    "path",
    "A change offer's id (`och_...`)",
    required=True,
    schema={"type": "string", "pattern": "^och_[0-9a-f]{24}$"},
)
_KEY = Parameter(
    HEADER,
    "header",
    "Required; a unique value per confirmation, reused for its retries",
    required=True,
    schema={"type": "string", "minLength": 1, "maxLength": 255},
)
_AUTH_ERRORS = {
    401: "Missing, malformed, expired or wrongly signed Bearer token",
    429: "Past this traveler's rate limit on order and payment routes; see Retry-After",
    503: "The orders database, the airline or the payment gateway cannot be reached now; "
    "retry after Retry-After s (a confirmation resumes where it stopped)",
}
_NOT_CHANGEABLE = (
    "`fare-not-changeable`: the fare conditions do not allow changes; or "
    "`change-unsupported`: the order's airline cannot change flights through us (`airline` "
    "names it); or `validation-error` naming each bad field (`slice_index` of a slice whose "
    "first flight has left; `departure_date` when an infant on a lap would be 2 by then)"
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="post",
        path="/v1/orders/{order_id}/changes",
        operation_id="create_order_changes",
        summary=(
            "Search the order's airline for another way to fly one slice (another date or "
            "flight, same cabin) and answer change offers, valid a few minutes: the fare "
            "difference, the penalty the fare conditions set, the total to pay (or refunded) "
            "and the order's new total. Nothing changes until one is confirmed. Seats chosen "
            "on the slice are not carried over: a change releases them (an unpaid hold's new "
            "total is without their price)"
        ),
        tag="orders",
        response_status=201,
        request=SliceSearch,
        response=ChangeOffers,
        parameters=(ORDER_ID_PARAMETER,),
        errors={
            **_AUTH_ERRORS,
            400: "Malformed JSON",
            403: SUPPORT_MAY_NOT_CHANGE,
            404: "No such order, or another traveler's",
            409: (
                "The order is over (cancelled or expired), a payment of it is in progress, or "
                "the airline refused to search for changes"
            ),
            415: "The body is not declared application/json",
            422: _NOT_CHANGEABLE,
        },
        security=("bearer",),
    ),
    Operation(
        method="get",
        path="/v1/orders/{order_id}/changes/{change_offer_id}",
        operation_id="get_order_change",
        summary="One change offer of the order, its status, and the order as it is now",
        tag="orders",
        response=ChangeOfferView,
        parameters=(ORDER_ID_PARAMETER, _CHANGE_ID),
        errors={**_AUTH_ERRORS, 404: "No such order or change offer, or another traveler's"},
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/changes/{change_offer_id}/confirm",
        operation_id="confirm_order_change",
        summary=(
            "Fly the change offer's slice instead: the airline swaps the flights (same booking "
            "reference), the change total is charged to `card_token` (or refunded to the card "
            "that paid), the order shows the new slice and the traveler gets a mail and SMS. "
            "A declined card is compensated: the airline puts the old flights back and the "
            "order's `last_change` says so. The replaced slice's seats are released at the "
            "airline and taken off the order (the mail names them: choose new ones); an unpaid "
            "hold's `payment_required_by` is set anew. Idempotent per Idempotency-Key. A card "
            "whose bank asks the traveler to confirm the charge (3-D Secure) answers 202: "
            "send them to `next_action.url`, then confirm again with the same Idempotency-Key"
        ),
        tag="orders",
        request=ConfirmChange,
        response=ChangeOfferView,
        parameters=(ORDER_ID_PARAMETER, _CHANGE_ID, _KEY),
        also_success={
            202: (
                "The card's bank asks the traveler to confirm the charge (3-D Secure): the "
                "change is still `confirming`, nothing is charged and the order flies what it "
                "flew; open `next_action.url` (its bank's page), then send the same "
                "confirmation again (same Idempotency-Key): 200 once the bank confirmed, 409 "
                "(`decline_code`) if it declined, 202 again while it waits. Nothing is stored "
                "under the key meanwhile; the gateway's webhook for the charge settles the "
                "change as soon as the bank answered, so a resent confirmation may find it "
                "ended and answer how. Left unanswered for SKYFARE_CHANGE_BANK_WAIT_S, the "
                "charge is canceled and the change undone (409, `decline_code: canceled`)"
            )
        },
        errors={
            **_AUTH_ERRORS,
            400: "Missing Idempotency-Key, or malformed JSON",
            403: SUPPORT_MAY_NOT_CHANGE,
            404: "No such order or change offer, or another traveler's",
            409: (
                "The order changed since the offer (ask again); the airline refused (sold "
                "out, price moved); the card was declined (the change was undone: the order "
                "keeps its flights; `decline_code` is the gateway's code, as on the order's "
                "`last_change`); the offer already failed (`failure_code` says why, on each "
                "of these); the slice's first flight has left since (`departed_at`: when, UTC); "
                "or another confirmation of it, the change sweeper or its charge's webhook "
                "still holds it after a wait of up to 10 s (`in_progress: true`): retry"
            ),
            410: "The change offer expired: ask for new change offers",
            415: "The body is not declared application/json",
            422: "`card_token` missing when the change costs money, or another bad field; "
            "the same Idempotency-Key with another body",
        },
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/orders/{order_id}/changes/{change_offer_id}/cancel",
        operation_id="cancel_order_change",
        summary=(
            "Give up a change whose card payment waits at the traveler's bank (a confirmation "
            "answered 202, 3-D Secure): the charge is canceled at the gateway first, then the "
            "airline puts the original flights back; the change becomes `failed` "
            "(`failure_code: given_up`), the order's `last_change` says so, nothing is charged "
            "and another change may be asked for. Answers the change offer with the order. If "
            "the bank confirmed the charge before it could be canceled, the change stands: "
            "200 with `status: confirmed` (and `failed`, `card_declined`, if the bank declined "
            "it). Asked again once the change ended, the same answer. No body"
        ),
        tag="orders",
        response=ChangeOfferView,
        parameters=(ORDER_ID_PARAMETER, _CHANGE_ID),
        errors={
            **_AUTH_ERRORS,
            403: SUPPORT_MAY_NOT_CHANGE,
            404: "No such order or change offer, or another traveler's",
            409: (
                "The change does not wait at the bank (`change_status` says what it is: "
                "quoted, or confirming without a bank's page, or ended without waiting at "
                "one); or a confirmation, the change sweeper or its charge's webhook still "
                "holds it after a wait of up to 10 s (`in_progress: true`): retry in a moment"
            ),
        },
        security=("bearer",),
    ),
)
