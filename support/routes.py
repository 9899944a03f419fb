"""Support routes (docs/api.md): thin views over `SupportService` and `SupportWebhook`.

`POST /v1/support/cases` declares no security: it takes a traveler's token when one is sent
(then it is checked first, as on every bearer route: a bad token is a 401), and without one it
is the anonymous path (booking reference + family name, rate-limited per client address).
"""

from __future__ import annotations

import msgspec
from aiohttp import web

from booking.idempotency import HEADER, fingerprint, key_of
from kernel.auth import AUTHENTICATE, Principal
from kernel.auth import principal as caller
from kernel.client_address import client_address
from kernel.cursors import ListMeta, encode_cursor
from kernel.http import json_object, read_body, read_json_body
from kernel.openapi import Operation, Parameter
from payment.webhooks import HEADER as SIGNATURE_HEADER
from support.model import (
    CASES_PER_PAGE,
    MAX_CASES_PER_PAGE,
    CaseList,
    CaseView,
    OpenCaseRequest,
    check_open,
    parse_case_page,
)
from support.service import SupportService
from support.webhook import SupportWebhook

SUPPORT_SERVICE = web.AppKey("support_service", SupportService)
SUPPORT_WEBHOOK = web.AppKey("support_webhook", SupportWebhook)

_encoder = msgspec.json.Encoder()


class WebhookAck(msgspec.Struct, frozen=True):
    received: bool
    outcome: str


def _json(value: object, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(value), status=status, content_type="application/json")


async def open_case(request: web.Request) -> web.Response:
    principal: Principal | None = None
    if "Authorization" in request.headers:  # a token sent is a token checked, before the body
        principal = await request.config_dict[AUTHENTICATE](request)
    keys = request.headers.getall(HEADER, [])
    key = key_of(keys) if keys else None  # optional here: the contract never required it
    data = json_object(await read_json_body(request))
    case_request = check_open(data, anonymous=principal is None)
    answer = await request.config_dict[SUPPORT_SERVICE].open_case(
        principal,
        case_request,
        address=client_address(request),
        key=key,
        fingerprint=fingerprint(request.method, request.path, data),
    )
    return web.Response(body=answer.body, status=answer.status, content_type="application/json")


async def list_cases(request: web.Request) -> web.Response:
    principal = caller(request)
    limit, after = parse_case_page(request.query.items())
    cases, last = await request.config_dict[SUPPORT_SERVICE].list_cases(
        principal, limit=limit, after=after
    )
    meta = ListMeta(limit=limit, after=None if last is None else encode_cursor(last))
    return _json(CaseList(data=tuple(cases), meta=meta))


async def receive_webhook(request: web.Request) -> web.Response:
    receiver = request.config_dict[SUPPORT_WEBHOOK]
    outcome = await receiver.receive(
        await read_body(request), request.headers.get(SIGNATURE_HEADER)
    )
    return _json(WebhookAck(received=True, outcome=outcome))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/v1/support/cases", open_case, name="support_cases_create")
    router.add_get("/v1/support/cases", list_cases, name="support_cases_list")
    router.add_post("/v1/support/webhook", receive_webhook, name="support_webhook")


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="post",
        path="/v1/support/cases",
        operation_id="open_support_case",
        summary=(
            "Open a support case about an order: with a Bearer token, `order_id` of one of the "
            "caller's orders; without one, `booking_reference` + `family_name` of a passenger "
            "(rate-limited per client address). The case is opened in the helpdesk with the "
            "order's context (never card data or document numbers)"
        ),
        tag="support",
        response_status=201,
        request=OpenCaseRequest,
        response=CaseView,
        parameters=(
            Parameter(
                HEADER,
                "header",
                "Optional; a unique value per case written, reused for its retries: the same "
                "request again answers the first case (kept 24 h, scoped to the caller, or to "
                "the booking without a token) instead of opening a second",
                schema={"type": "string", "minLength": 1, "maxLength": 255},
            ),
        ),
        errors={
            400: "Malformed JSON",
            401: "A Bearer token was sent and it is missing, malformed, expired or wrongly signed",
            403: "A support token naming another traveler's order: cases are the traveler's",
            409: "A request with this Idempotency-Key is still in progress; retry shortly",
            404: "No such order of the caller, or no booking with this reference and family "
            "name (the same answer for both)",
            415: "The body is not declared application/json",
            422: "Bad fields (subject, message, order_id or booking_reference + family_name; "
            "order_id without a token, or booking_reference or family_name with one, is named "
            "too: never dropped), or the Idempotency-Key was used for another request",
            429: "Too many anonymous cases from this address; see Retry-After",
            503: "The database or the helpdesk cannot be reached; retry",
        },
    ),
    Operation(
        method="get",
        path="/v1/support/cases",
        operation_id="list_support_cases",
        validates_query=True,  # its view names undeclared parameters too
        summary="The caller's support cases, newest first, with their status and messages; "
        "pass meta.after as ?after= for the next page (null on the last page)",
        tag="support",
        response=CaseList,
        parameters=(
            Parameter(
                "limit",
                "query",
                f"Cases per page, 1 to {MAX_CASES_PER_PAGE}",
                schema={
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_CASES_PER_PAGE,
                    "default": CASES_PER_PAGE,
                },
            ),
            Parameter("after", "query", "A cursor from meta.after of the previous page"),
        ),
        errors={
            401: "Missing, malformed, expired or wrongly signed Bearer token",
            422: "limit out of range, or a cursor this list did not return",
            429: "Past this traveler's rate limit; see Retry-After",
            503: "The database cannot be reached",
        },
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/support/webhook",
        operation_id="support_webhook",
        summary=(
            "Called by the helpdesk only, when an agent replies or requests a booking "
            "modification: signed with HMAC-SHA256 over `<timestamp>.<raw body>` in "
            "`Skyfare-Signature: t=<unix>,v1=<hex>`. A redelivered event changes nothing"
        ),
        tag="support",
        response=WebhookAck,
        parameters=(
            Parameter(
                SIGNATURE_HEADER,
                "header",
                "t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]",
                required=True,
            ),
        ),
        errors={
            400: "Missing, malformed or wrong signature, a timestamp over 5 minutes off, or "
            "not a helpdesk event; nothing changed",
            503: "The event could not be applied yet; deliver it again",
        },
    ),
)
