"""The gateway's JSON, decoded into the fields we map, and the pure mapping to `payment.model`.

The gateway is Stripe-like: intents, refunds and events with a `data.object`, amounts as decimal
strings, errors as `{"error": {"type", "code", "message"}}`. Unknown fields are ignored, so the
gateway may add fields freely.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from kernel.errors import FieldError
from payment.model import (
    CANCELED,
    REFUND_PART,
    EventKind,
    GatewayEvent,
    GatewayIntent,
    GatewayRefund,
    IntentStatus,
    ListedRefund,
)


class PaymentError(msgspec.Struct, frozen=True):
    code: str | None = None
    decline_code: str | None = None


class Card(msgspec.Struct, frozen=True):
    last4: str | None = None


class PaymentMethodDetails(msgspec.Struct, frozen=True):
    card: Card | None = None


class RedirectToUrl(msgspec.Struct, frozen=True):
    url: str


class NextAction(msgspec.Struct, frozen=True):
    type: str
    redirect_to_url: RedirectToUrl | None = None


class IntentRefund(msgspec.Struct, frozen=True):
    """A refund an intent lists: what it gave back, and what its asker attached."""

    id: str
    amount: Decimal
    metadata: dict[str, str] = {}


class Intent(msgspec.Struct, frozen=True):
    id: str
    status: str
    amount: Decimal
    currency: str
    metadata: dict[str, str] = {}
    last_payment_error: PaymentError | None = None
    payment_method_details: PaymentMethodDetails | None = None
    amount_received: Decimal | None = None
    amount_refunded: Decimal | None = None
    refunds: tuple[IntentRefund, ...] | None = None
    next_action: NextAction | None = None


class Refund(msgspec.Struct, frozen=True):
    id: str
    payment_intent: str
    amount: Decimal
    currency: str
    status: str


class ErrorBody(msgspec.Struct, frozen=True):
    type: str | None = None
    code: str | None = None
    message: str | None = None
    decline_code: str | None = None  # a card_error's: the issuer's reason (Stripe's)


class ErrorEnvelope(msgspec.Struct, frozen=True):
    error: ErrorBody


class EventObject(msgspec.Struct, frozen=True):
    """`data.object`: an intent, or a charge (which names its intent)."""

    id: str
    object: str | None = None
    payment_intent: str | None = None
    metadata: dict[str, str] = {}
    last_payment_error: PaymentError | None = None
    refunded: bool = False  # a charge: refunded in full
    # An intent's card, as its creation's answer names it: the only answer a charge whose
    # creation went unanswered gets (booking/sql/0153).
    payment_method_details: PaymentMethodDetails | None = None


class EventData(msgspec.Struct, frozen=True):
    object: EventObject


class Event(msgspec.Struct, frozen=True):
    id: str
    type: str
    data: EventData


class SearchResult(msgspec.Struct, frozen=True):
    data: tuple[Intent, ...]


decode_intent = msgspec.json.Decoder(Intent).decode
decode_search = msgspec.json.Decoder(SearchResult).decode
decode_refund = msgspec.json.Decoder(Refund).decode
decode_error = msgspec.json.Decoder(ErrorEnvelope).decode
decode_event = msgspec.json.Decoder(Event).decode

_INTENT_STATUS: dict[str, IntentStatus] = {
    "succeeded": "succeeded",
    "requires_action": "requires_action",  # 3-D Secure: the traveler confirms with their bank
    "requires_payment_method": "failed",  # declined, or the capture failed: try another card
    "canceled": "failed",
}
_EVENT_KIND: dict[str, EventKind] = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "failed",
    # Canceled (by us, when the traveler pays with another card instead): it never charges.
    "payment_intent.canceled": "failed",
    "charge.refunded": "refunded",
}


# A gateway's code as we keep it: Stripe's and the sim's are `[a-z0-9_]+` (generic_decline,
# insufficient_funds, charge_disputed…), but a gateway may add codes or send another shape (an
# issuer's "N7", "Do Not Honor"). Whatever it is, it is stored and passed on as sent, never
# dropped, less what cannot be stored or printed (PostgreSQL refuses NUL in text; a control
# character would forge log lines) and cut to a length a history row and a page can carry.
CODE_MAX = 100


def gateway_code(raw: str | None) -> str | None:
    """`raw` as stored and shown: its printable characters, trimmed, at most `CODE_MAX` of
    them; None when nothing is left (the caller names the failure itself then)."""
    if raw is None:
        return None
    kept = "".join(ch for ch in raw if ch.isprintable()).strip()
    return kept[:CODE_MAX].rstrip() or None


def _reason(error: PaymentError | None) -> str | None:
    if error is None:
        return None
    return gateway_code(error.decline_code) or gateway_code(error.code)


def intent_from_wire(intent: Intent) -> GatewayIntent:
    return GatewayIntent(
        id=intent.id,
        status=_INTENT_STATUS.get(intent.status, "processing"),
        amount=intent.amount,
        currency=intent.currency,
        payment_id=intent.metadata.get("payment_id"),
        failure_reason=CANCELED
        if intent.status == "canceled"
        else _reason(intent.last_payment_error),
        card_last4=_last4(intent.payment_method_details),
        amount_received=intent.amount_received,
        amount_refunded=intent.amount_refunded,
        refunds=None if intent.refunds is None else tuple(_listed(r) for r in intent.refunds),
        action_url=_action_url(intent),
    )


def _action_url(intent: Intent) -> str | None:
    """Where the traveler confirms an intent that `requires_action`: a redirect's URL, the only
    kind of action we follow (any other leaves the intent waiting, as `processing`)."""
    action = intent.next_action
    if intent.status != "requires_action" or action is None or action.redirect_to_url is None:
        return None
    url = action.redirect_to_url.url
    return url if url.startswith(("https://", "http://")) else None


def _listed(refund: IntentRefund) -> ListedRefund:
    return ListedRefund(refund.id, refund.amount, refund.metadata.get(REFUND_PART))


def _last4(details: PaymentMethodDetails | None) -> str | None:
    """The card's last four digits when the gateway gave exactly that; anything else (more
    digits, letters) is not kept: a receipt may show four digits of a card, nothing more."""
    last4 = None if details is None or details.card is None else details.card.last4
    return (
        last4
        if last4 is not None and len(last4) == 4 and last4.isascii() and last4.isdigit()
        else None
    )


def refund_from_wire(refund: Refund) -> GatewayRefund:
    return GatewayRefund(
        id=refund.id,
        intent_id=refund.payment_intent,
        amount=refund.amount,
        currency=refund.currency,
        accepted=refund.status in ("succeeded", "pending"),
    )


def ids_with_nul(event: Event) -> list[FieldError]:
    """Each id of `event` that payments are looked up and recorded by, when it holds a NUL
    character (PostgreSQL text cannot store one: it was a 500). Ids only: a decline code is
    free text, kept less what cannot be stored (`gateway_code`)."""
    obj = event.data.object
    ids = {
        "id": event.id,
        "data.object.id": obj.id,
        "data.object.payment_intent": obj.payment_intent,
        "data.object.metadata.payment_id": obj.metadata.get("payment_id"),
        "data.object.metadata.change_id": obj.metadata.get("change_id"),
    }
    return [
        FieldError(field, "must not contain a NUL character")
        for field, value in ids.items()
        if value is not None and "\x00" in value
    ]


def event_from_wire(event: Event) -> GatewayEvent:
    """Raises nothing: an event type we do not act on maps to kind `ignored`."""
    obj = event.data.object
    kind = _EVENT_KIND.get(event.type, "ignored")
    change_id = None
    if "change_id" in obj.metadata and "payment_id" not in obj.metadata:
        # A flight change's own charge (payment/change_payments.py): settled, it finishes the
        # change at once (the receiver's `changes`); refunded, it moves nothing here (a
        # change's refunds are parts of the order's, payment/cancellation_refunds.py).
        change_id = obj.metadata["change_id"]
        if kind == "refunded":
            kind = "ignored"
    intent_id = obj.payment_intent if obj.object == "charge" else obj.id
    return GatewayEvent(
        id=event.id,
        kind=kind,
        type=event.type,
        intent_id=intent_id,
        payment_id=obj.metadata.get("payment_id"),
        failure_reason=CANCELED
        if event.type == "payment_intent.canceled"
        else _reason(obj.last_payment_error),
        fully_refunded=obj.refunded,
        card_last4=_last4(obj.payment_method_details),
        change_id=change_id,
    )
