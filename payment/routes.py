"""Payment routes (docs/api.md): thin views over `PaymentService` and `WebhookReceiver`."""

from __future__ import annotations

import msgspec
from aiohttp import web

from booking.idempotency import HEADER, fingerprint, key_of
from booking.model import ORDER_ID_SCHEMA
from kernel.auth import principal as caller
from kernel.http import read_body, read_json_body
from kernel.openapi import Operation, Parameter
from payment.model import PaymentRequest, PaymentView
from payment.receiver import WebhookReceiver
from payment.service import PaymentService
from payment.validation import decode_payment_body
from payment.webhooks import HEADER as SIGNATURE_HEADER

PAYMENT_SERVICE = web.AppKey("payment_service", PaymentService)
WEBHOOK_RECEIVER = web.AppKey("webhook_receiver", WebhookReceiver)

_received = msgspec.json.encode({"received": True})


class WebhookAck(msgspec.Struct, frozen=True):
    received: bool


async def create_payment(request: web.Request) -> web.Response:
    principal = caller(request)
    key = key_of(request.headers.getall(HEADER, []))
    payment, data = decode_payment_body(await read_json_body(request))
    fp = fingerprint(request.method, request.path, data)
    answer = await request.config_dict[PAYMENT_SERVICE].pay(
        principal,
        request.match_info["order_id"],
        key,
        payment,
        fp,
        origin=str(request.url.origin()),
    )
    return web.Response(body=answer.body, status=answer.status, content_type="application/json")


async def receive_webhook(request: web.Request) -> web.Response:
    receiver = request.config_dict[WEBHOOK_RECEIVER]
    await receiver.receive(await read_body(request), request.headers.get(SIGNATURE_HEADER))
    return web.Response(body=_received, content_type="application/json")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/v1/orders/{order_id}/payments", create_payment, name="payments_create")
    router.add_post("/v1/payments/webhook", receive_webhook, name="payments_webhook")


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="post",
        path="/v1/orders/{order_id}/payments",
        operation_id="create_payment",
        summary=(
            "Pay a held order with a card token from the payment gateway. The amount is the "
            "order's. Answers 202 at once; the order becomes confirmed + paid (ticketed) or "
            "stays held with payment_status failed when the gateway reports back. A card whose "
            "bank asks the traveler to confirm (3-D Secure) answers status requires_action with "
            "next_action {type: redirect_to_url, url}: the browser opens url, the bank's page, "
            "which sends it back to the order's trip page; the payment stays open meanwhile "
            "(the order's payment_next_action). While it waits for the bank, a new payment (with "
            "another card) replaces it: its intent is canceled at the gateway first, so the card "
            "waited on is never charged too; if the traveler confirmed it meanwhile, it stands "
            "and the new payment is a 409 naming it. "
            "Idempotent per Idempotency-Key (kept 24 h, scoped to the caller; a replay carries "
            "the same next_action)"
        ),
        tag="payments",
        response_status=202,
        request=PaymentRequest,
        response=PaymentView,
        parameters=(
            Parameter(
                "order_id",
                "path",
                "The order to pay (`ord_...`)",
                required=True,
                schema=ORDER_ID_SCHEMA,
            ),
            Parameter(
                HEADER,
                "header",
                "Required; a unique value per payment attempt, reused for its retries",
                required=True,
                schema={"type": "string", "minLength": 1, "maxLength": 255},
            ),
        ),
        errors={
            400: "Missing Idempotency-Key header, or malformed JSON",
            401: "Missing, malformed, expired or wrongly signed Bearer token",
            429: "Past this traveler's rate limit on order and payment routes; see Retry-After",
            404: "No such order of the caller",
            409: (
                "The order is not held (confirmed, cancelled, expired), its payment_required_by "
                "has passed, its payment is already processing (not waiting for the traveler's "
                "bank) or paid, its payment waiting for the bank was confirmed there meanwhile "
                "(the detail names it: it stands), or a request with this Idempotency-Key is in "
                "progress"
            ),
            422: "Bad or unknown card_token (a card the gateway refused: with its "
            "`decline_code`), or the Idempotency-Key was used for another request",
            503: "The database or the payment gateway cannot be reached; retry with the same key",
        },
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/payments/webhook",
        operation_id="payment_webhook",
        summary=(
            "Called by the payment gateway only: signed with HMAC-SHA256 over "
            "`<timestamp>.<raw body>` in `Skyfare-Signature: t=<unix>,v1=<hex>`. A redelivered "
            "event changes nothing"
        ),
        tag="payments",
        response=WebhookAck,
        parameters=(
            Parameter(
                SIGNATURE_HEADER,
                "header",
                "t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...] (several while rotating)",
                required=True,
            ),
        ),
        errors={
            400: "Missing, malformed or wrong signature, a timestamp over 5 minutes off, or "
            "not an event; nothing changed",
            503: "The event could not be applied yet (database or airline unavailable); "
            "deliver it again",
        },
    ),
)
