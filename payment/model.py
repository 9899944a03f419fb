"""Payments, what the gateway tells us about them, and the public views (docs/api.md "Payments").

Money is `Decimal` (msgspec writes it as a decimal string) with an ISO 4217 code; timestamps UTC.
A payment's status (`payment/sql/0200_payments.sql`):

    processing → succeeded | failed;  succeeded → refunding → refunded

The order's `payment_status` follows it: processing, paid (succeeded), failed, refunded.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from booking.ports import NextAction  # a seat charge's answer carries it too

PaymentStatus = Literal["processing", "succeeded", "failed", "refunding", "refunded"]
# `requires_action`: the card's bank asks the traveler to confirm (3-D Secure) first; the payment
# stays `processing` meanwhile, as it does for any intent not settled yet.
IntentStatus = Literal["processing", "requires_action", "succeeded", "failed"]
PAYMENT_ID_PREFIX = "pay_"


def new_payment_id() -> str:
    return PAYMENT_ID_PREFIX + secrets.token_hex(12)


def intent_key(payment_id: str) -> str:
    """Our idempotency key for creating the payment's intent: one intent per payment, ever."""
    return f"{payment_id}:intent"


def cancel_key(charge_id: str) -> str:
    """Our idempotency key for canceling the intent of a charge left waiting for the traveler's
    bank (a payment, a seat charge, a flight change's: by its id): a retry replays the one
    cancel."""
    return f"{charge_id}:cancel"


# The web app's page a card's bank (3-D Secure) sends the browser back to (skyfare/bank_return.py).
BANK_RETURN_PATH = "/bank-return"


def bank_return_url(web_url: str, order_id: str) -> str:
    """An order's 3-D Secure `return_url` on the web app at `web_url`: not the trip page, which
    would load the whole app inside the bank's frame (skyfare/bank_return.py says what it is)."""
    return f"{web_url.rstrip('/')}{BANK_RETURN_PATH}?order={order_id}"


def way_back(web_url: str | None, origin: str | None, order_id: str) -> str | None:
    """The `return_url` of a charge on `order_id` (its payment, a seat change's): on the web
    app's configured address (SKYFARE_WEB_URL), else on the `origin` the traveler's request came
    to, which serves the app; never an address the client names. None with neither (a caller
    that is no HTTP request): the gateway is given no way back."""
    base = web_url or origin
    return None if base is None else bank_return_url(base, order_id)


# The longest bank's page a payment or a seat charge keeps (payment/sql/0219, 0220).
MAX_ACTION_URL = 2048


def kept_action_url(url: str | None) -> str | None:
    """The bank's page (3-D Secure) as a payment or a seat charge keeps it for later answers:
    an http(s) address of at most `MAX_ACTION_URL` characters, as the columns' checks allow
    (0219, 0220); another is not kept, and only the answer that started the charge names it."""
    if url is None or len(url) > MAX_ACTION_URL or not url.startswith(("http://", "https://")):
        return None
    return url


def refund_key(payment_id: str, attempt: int = 0) -> str:
    """Our idempotency key for refunding a payment (or a seat charge): every path that refunds
    it (a failed ticketing, a success that came too late, a retry) asks for the same one refund.
    `attempt` counts the gateway's refusals (payment/sql/0209): a refusal moved nothing and is
    replayed for its key, so the next ask is a new request."""
    return f"{payment_id}:refund" if attempt == 0 else f"{payment_id}:refund:{attempt}"


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    """A payment as stored: every column of `payments`."""

    id: str
    order_id: str
    owner: str
    amount: Decimal
    currency: str
    status: PaymentStatus
    gateway_intent_id: str | None
    failure_reason: str | None
    refund_reason: str | None
    order_failure_reason: str | None  # the order's failure_reason once the refund is recorded
    gateway_refund_id: str | None
    refunded_amount: Decimal | None
    order_paid: bool  # this payment moved its order to `paid` (so it moves it to `refunded`)
    created_at: dt.datetime
    updated_at: dt.datetime
    refunded_at: dt.datetime | None
    refund_attempt: int  # refunds the gateway refused (`refund_key`)
    # The last four digits of the card charged, as the gateway reported them (a refund's mail
    # names the card); None before it answered, or when it did not say.
    card_last4: str | None = None
    # Of what its whole refund gave back, the money the gateway's dashboard gave (0218).
    by_gateway: Decimal = Decimal("0.00")
    # The bank's page its intent waits on (3-D Secure: the traveler must confirm it there),
    # written when the gateway answered `requires_action`; None for every other payment (0219).
    action_url: str | None = None


# The refund metadata naming what of ours asked it: a refund part (`order_refunds.id`), a
# payment's whole refund (`payments.id`) or a seat charge's (`seat_charges.id`;
# payment/named_refunds.py). The gateway lists it with the refund, so a refund it lists without
# one was made without us (at its dashboard), or by a release before refunds named themselves.
REFUND_PART = "refund_part"


class ListedRefund(msgspec.Struct, frozen=True):
    """A refund a gateway intent lists; `part`: what of ours asked it (its `REFUND_PART`
    metadata), None for one that names nothing."""

    id: str
    amount: Decimal
    part: str | None = None


class GatewayIntent(msgspec.Struct, frozen=True):
    """A payment intent as the gateway reports it, reduced to what we act on."""

    id: str
    status: IntentStatus
    amount: Decimal
    currency: str
    payment_id: str | None = None  # our id, from the intent's metadata
    failure_reason: str | None = None  # the gateway's code, e.g. card_declined
    card_last4: str | None = None  # the card's last four digits, when the gateway names them
    # What the gateway captured and has refunded of it (None: it does not say), for the audit
    # (payment/audit.py).
    amount_received: Decimal | None = None
    amount_refunded: Decimal | None = None
    # Every refund of it (None: the gateway does not list them), to tell ours from those made
    # at its dashboard (payment/named_refunds.py `asked_anew`).
    refunds: tuple[ListedRefund, ...] | None = None
    # `requires_action`: where the traveler's browser goes to confirm the payment with their
    # bank (the gateway's `next_action.redirect_to_url.url`).
    action_url: str | None = None


class GatewayRefund(msgspec.Struct, frozen=True):
    id: str
    intent_id: str
    amount: Decimal
    currency: str
    accepted: bool  # succeeded, or pending: the money is on its way back


EventKind = Literal["succeeded", "failed", "refunded", "ignored"]


class GatewayEvent(msgspec.Struct, frozen=True):
    """One webhook event, reduced to what we act on (`payment/wire.py` decodes it)."""

    id: str
    kind: EventKind
    type: str  # the gateway's own name, e.g. payment_intent.succeeded
    intent_id: str | None = None
    payment_id: str | None = None
    failure_reason: str | None = None
    fully_refunded: bool = False  # charge.refunded: the whole amount went back
    card_last4: str | None = None  # the card's last four digits, when the event names them
    change_id: str | None = None  # a flight change's own charge (payment/change_payments.py)


# Why a charge that cannot send the traveler to their bank (an instant order's; a seat change's
# or a flight change's whose bank names no page to show) fails when the card asks for 3-D
# Secure: Stripe's code for it.
AUTHENTICATION_REQUIRED = "authentication_required"

# Why a payment failed whose intent was canceled: the traveler left it waiting for their bank and
# paid with another card (docs/payments.md "3-D Secure"). The gateway's intent status, as Stripe's.
CANCELED = "canceled"

CardToken = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^\S+$")]


class PaymentRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`POST /v1/orders/{id}/payments`: a token from the gateway, never a card number."""

    card_token: CardToken


class PaymentView(msgspec.Struct, frozen=True, omit_defaults=True):
    """The `202` answer: the payment has started; its outcome comes through the order.
    `requires_action` (with `next_action`): the traveler must confirm it with their bank first;
    the payment stays open and is settled as any other once they have."""

    id: str
    status: PaymentStatus | Literal["requires_action"]
    amount: Decimal
    currency: str
    next_action: NextAction | None = None
