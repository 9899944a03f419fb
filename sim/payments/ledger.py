"""The simulated gateway's books: payment intents, refunds and the events they raise.

Pure state, no I/O: the app decides when an intent settles (after `settle_ms`, or `slow_ms` for
`tok_slow`) and hands the events to the webhook dispatcher. Amounts are decimal strings on the
wire (as Skyfare's API writes money), held as `Decimal`.

Card tokens: `tok_visa` succeeds, `tok_declined` is declined, `tok_slow` succeeds late,
`tok_fail_capture` is authorised and then fails to capture; `tok_insufficient_funds`,
`tok_expired_card` and `tok_3ds_failed` are declined with those reasons (as Stripe's test
cards are); `tok_3ds_required` asks for 3-D Secure: its intent `requires_action` until the
traveler answers the challenge (`answer_challenge`), then goes on as `tok_visa` or fails as
`tok_3ds_failed`; any other token is refused (422).

An intent the customer gave up on is canceled (`cancel`, Stripe's `POST
/v1/payment_intents/{id}/cancel`): only one that has not charged and is not charging, i.e.
`requires_action` (its challenge unanswered) or `requires_payment_method` (declined); any other
state is refused with Stripe's `payment_intent_unexpected_state` (400), and a canceled intent
neither charges nor answers its challenge any more.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import msgspec

IntentStatus = Literal[
    "processing", "succeeded", "requires_payment_method", "requires_action", "canceled"
]
Outcome = Literal["succeed", "decline", "fail_capture", "challenge"]
ChallengeOutcome = Literal["complete", "fail"]
EventType = Literal[
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
]
# What an intent may be canceled from (Stripe allows a few more states the sim never has).
CANCELABLE: frozenset[str] = frozenset({"requires_action", "requires_payment_method"})

# What each known card token does, and whether it takes the slow path.
CARD_TOKENS: dict[str, tuple[Outcome, bool]] = {
    "tok_visa": ("succeed", False),
    "tok_declined": ("decline", False),
    "tok_slow": ("succeed", True),
    "tok_fail_capture": ("fail_capture", False),
    "tok_insufficient_funds": ("decline", False),
    "tok_expired_card": ("decline", False),
    "tok_3ds_failed": ("decline", False),
    "tok_3ds_required": ("challenge", False),
}
# The card behind each token, as a receipt may name it (Stripe's test card numbers' last four).
CARD_LAST4: dict[str, str] = {
    "tok_visa": "4242",
    "tok_declined": "0002",
    "tok_slow": "3220",
    "tok_fail_capture": "0341",
    "tok_insufficient_funds": "9995",
    "tok_expired_card": "0069",
    "tok_3ds_failed": "3178",
    "tok_3ds_required": "3184",
}
# Why each declining token is declined: Stripe's `code`, `message` and `decline_code`.
DECLINES: dict[str, tuple[str, str, str | None]] = {
    "tok_declined": ("card_declined", "Your card was declined.", "generic_decline"),
    "tok_insufficient_funds": (
        "card_declined",
        "Your card has insufficient funds.",
        "insufficient_funds",
    ),
    "tok_expired_card": ("expired_card", "Your card has expired.", "expired_card"),
    "tok_3ds_failed": (
        "payment_intent_authentication_failure",
        "The provided payment method has failed authentication.",
        None,
    ),
}
DECLINES["tok_3ds_required"] = DECLINES["tok_3ds_failed"]  # its challenge answered "fail"
MAX_AMOUNT = Decimal("99999999.99")
_CENT = Decimal("0.01")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class GatewayError(Exception):
    """A refusal, answered as Stripe does: `{"error": {"type", "code", "message", "param"}}`."""

    def __init__(
        self, status: int, type: str, code: str, message: str, param: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param

    def body(self) -> dict[str, Any]:
        error = {"type": self.type, "code": self.code, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def invalid(code: str, message: str, param: str | None = None, status: int = 422) -> GatewayError:
    return GatewayError(status, "invalid_request_error", code, message, param)


class ChallengeAnswered(Exception):
    """The intent awaits no 3-D Secure answer (answered already, or never asked one)."""


class LastPaymentError(msgspec.Struct):
    type: str
    code: str
    message: str
    decline_code: str | None = None


class Refund(msgspec.Struct):
    id: str
    payment_intent: str
    amount: Decimal
    currency: str
    created: int
    status: str = "succeeded"
    object: str = "refund"
    # What the caller attached (Stripe's refund metadata): Skyfare names its refund part there; a
    # refund made at the dashboard carries none.
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


class CardDetails(msgspec.Struct):
    brand: str
    last4: str


class PaymentMethodDetails(msgspec.Struct):
    """What the gateway tells of the card charged (as Stripe's charge does): never its number."""

    card: CardDetails
    type: str = "card"


class RedirectToUrl(msgspec.Struct):
    url: str
    return_url: str | None = None


class NextAction(msgspec.Struct):
    """What the customer must do before the intent goes on (Stripe's `next_action`)."""

    redirect_to_url: RedirectToUrl
    type: str = "redirect_to_url"


class Intent(msgspec.Struct):
    id: str
    amount: Decimal
    currency: str
    card_token: str
    created: int
    metadata: dict[str, str]
    status: IntentStatus = "processing"
    amount_received: Decimal = Decimal("0.00")
    amount_refunded: Decimal = Decimal("0.00")
    last_payment_error: LastPaymentError | None = None
    payment_method_details: PaymentMethodDetails | None = None
    refunds: list[Refund] = msgspec.field(default_factory=list)
    next_action: NextAction | None = None
    # Set once canceled (Stripe's): why (`abandoned`, `requested_by_customer`, …) and when.
    cancellation_reason: str | None = None
    canceled_at: int | None = None
    object: str = "payment_intent"


class Event(msgspec.Struct):
    id: str
    type: EventType
    created: int
    data: dict[str, Any]  # {"object": the intent or charge as it is after the change}
    object: str = "event"
    livemode: bool = False
    api_version: str = "2024-06-20"


class CreateIntent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    amount: str
    currency: str
    card_token: str
    metadata: dict[str, str] = msgspec.field(default_factory=dict)
    description: str | None = None
    return_url: str | None = None  # where a 3-D Secure challenge sends the browser back


class CancelIntent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    cancellation_reason: str | None = None  # Stripe's: abandoned, requested_by_customer, …


class CreateRefund(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    payment_intent: str
    amount: str | None = None  # None: whatever is left to refund
    reason: str | None = None
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


def parse_amount(raw: str, param: str) -> Decimal:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise invalid("amount_invalid", f"{param} must be a decimal string", param) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise invalid("amount_invalid", f"{param} must be between 0.01 and {MAX_AMOUNT}", param)
    if amount != amount.quantize(_CENT):
        raise invalid("amount_invalid", f"{param} has more than two decimal places", param)
    return amount.quantize(_CENT)


class Ledger:
    """Every intent and refund the gateway knows, and the state changes the API may make."""

    def __init__(self) -> None:
        self.intents: dict[str, Intent] = {}
        self.events: dict[str, Event] = {}
        # Refusals set by the control API: the next refunds of an intent fail with these codes
        # (a disputed charge, a closed card), as a real gateway sometimes refuses for a while.
        self.refusals: dict[str, list[str]] = {}
        # Where each 3-D Secure challenge sends the browser back, kept once it is answered (the
        # intent's `next_action` is gone then).
        self.return_urls: dict[str, str | None] = {}

    def create_intent(
        self, request: CreateIntent, challenge_url: Callable[[str], str] = lambda id_: id_
    ) -> tuple[Intent, Outcome, bool]:
        """A new `processing` intent (`requires_action` for a card that asks for 3-D Secure:
        its challenge page is at `challenge_url(intent id)`), with what its card will do and
        whether slowly."""
        amount = parse_amount(request.amount, "amount")
        currency = request.currency.upper()
        if len(currency) != 3 or not currency.isalpha():
            raise invalid("currency_invalid", "currency must be an ISO 4217 code", "currency")
        if request.return_url is not None and not _absolute_http(request.return_url):
            raise invalid("url_invalid", "return_url must be an absolute http(s) URL", "return_url")
        known = CARD_TOKENS.get(request.card_token)
        if known is None:
            raise GatewayError(
                422, "card_error", "invalid_card_token", "no such card token", "card_token"
            )
        intent = Intent(
            id=self._new_id("pi"),
            amount=amount,
            currency=currency,
            card_token=request.card_token,
            created=int(time.time()),
            metadata=dict(request.metadata),
            payment_method_details=PaymentMethodDetails(
                CardDetails("visa", CARD_LAST4[request.card_token])
            ),
        )
        outcome, slow = known
        if outcome == "challenge":
            intent.status = "requires_action"
            intent.next_action = NextAction(
                RedirectToUrl(challenge_url(intent.id), request.return_url)
            )
            self.return_urls[intent.id] = request.return_url
        self.intents[intent.id] = intent
        return intent, outcome, slow

    def answer_challenge(self, intent_id: str, outcome: ChallengeOutcome) -> Event | None:
        """The traveler's answer to the intent's 3-D Secure challenge: `complete` sends it on
        (`processing`; the caller settles it as a `tok_visa` later), `fail` fails it now (the
        event that reports it). Raises `ChallengeAnswered` when it was answered before (or
        never asked): a second answer changes nothing."""
        intent = self.intents[intent_id]
        if intent.status != "requires_action":
            raise ChallengeAnswered(intent_id)
        intent.next_action = None
        if outcome == "complete":
            intent.status = "processing"
            return None
        return self.settle(intent_id, "decline")

    def cancel(self, intent_id: str, request: CancelIntent) -> tuple[Intent, Event]:
        """Cancel an intent that has not charged and is not charging (`CANCELABLE`); the event
        that reports it. Raises 404 for an unknown intent, 400 `payment_intent_unexpected_state`
        for any other state (a succeeded one, one whose challenge was completed and is
        charging, one canceled before): nothing changes."""
        intent = self.intents.get(intent_id)
        if intent is None:
            raise invalid("resource_missing", "no such payment_intent", "intent", status=404)
        if intent.status not in CANCELABLE:
            raise invalid(
                "payment_intent_unexpected_state",
                f"You cannot cancel this PaymentIntent because it has a status of"
                f" {intent.status}. Only a PaymentIntent with one of the following statuses may"
                f" be canceled: {', '.join(sorted(CANCELABLE))}.",
                "intent",
                status=400,
            )
        intent.status = "canceled"
        intent.next_action = None
        intent.cancellation_reason = request.cancellation_reason
        intent.canceled_at = int(time.time())
        return intent, self._event("payment_intent.canceled", _as_dict(intent))

    def settle(self, intent_id: str, outcome: Outcome) -> Event:
        """Finish a `processing` intent as its card dictates; the event that reports it."""
        intent = self.intents[intent_id]
        if outcome == "succeed":
            intent.status = "succeeded"
            intent.amount_received = intent.amount
            return self._event("payment_intent.succeeded", _as_dict(intent))
        if outcome == "decline":
            # A token of its own reason, else a plain decline (an outcome forced on any card).
            code, message, decline_code = DECLINES.get(intent.card_token, DECLINES["tok_declined"])
            error = LastPaymentError("card_error", code, message, decline_code)
        else:  # authorised, then the capture failed: the hold on the card is released
            error = LastPaymentError(
                "api_error", "capture_failed", "The authorised amount could not be captured."
            )
        intent.status = "requires_payment_method"
        intent.last_payment_error = error
        return self._event("payment_intent.payment_failed", _as_dict(intent))

    def refund(self, request: CreateRefund) -> tuple[Refund, Event]:
        intent = self.intents.get(request.payment_intent)
        if intent is None:
            raise invalid(
                "resource_missing", "no such payment_intent", "payment_intent", status=404
            )
        if intent.status != "succeeded":
            raise invalid(
                "charge_not_captured", f"the payment intent is {intent.status}", "payment_intent"
            )
        refusals = self.refusals.get(intent.id)
        if refusals:
            code = refusals.pop(0)
            raise invalid(code, f"the refund was refused ({code})", "payment_intent")
        left = intent.amount_received - intent.amount_refunded
        if left <= 0:
            raise invalid("charge_already_refunded", "the charge is already fully refunded")
        amount = left if request.amount is None else parse_amount(request.amount, "amount")
        if amount > left:
            raise invalid(
                "amount_too_large", f"refund {amount} exceeds the {left} left to refund", "amount"
            )
        refund = Refund(
            id=self._new_id("re"),
            payment_intent=intent.id,
            amount=amount,
            currency=intent.currency,
            created=int(time.time()),
            metadata=dict(request.metadata),
        )
        intent.refunds.append(refund)
        intent.amount_refunded += amount
        return refund, self._event("charge.refunded", _charge(intent))

    def clear(self) -> None:
        self.intents.clear()
        self.events.clear()
        self.refusals.clear()
        self.return_urls.clear()

    def _event(self, type: EventType, obj: dict[str, Any]) -> Event:
        event = Event(self._new_id("evt"), type, int(time.time()), {"object": obj})
        self.events[event.id] = event
        return event

    def _new_id(self, prefix: str) -> str:
        # Random, not drawn from the seed: a sim restarted with the same seed (and the same
        # database behind Skyfare) must not reuse intent or event ids, as no real gateway does.
        return f"{prefix}_{''.join(secrets.choice(_ID_ALPHABET) for _ in range(24))}"


def _absolute_http(url: str) -> bool:
    scheme, _, rest = url.partition("://")
    return scheme in ("http", "https") and bool(rest) and len(url) <= 2048


def _as_dict(value: msgspec.Struct) -> dict[str, Any]:
    # A snapshot: the event must not change when the intent does later.
    snapshot: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(value))
    return snapshot


def _charge(intent: Intent) -> dict[str, Any]:
    """The intent's charge, as Stripe's `charge.refunded` event carries it."""
    snapshot = _as_dict(intent)
    return {
        "id": "ch_" + intent.id.removeprefix("pi_"),
        "object": "charge",
        "payment_intent": intent.id,
        "amount": snapshot["amount"],
        "amount_captured": snapshot["amount_received"],
        "amount_refunded": snapshot["amount_refunded"],
        "currency": intent.currency,
        "refunded": intent.amount_refunded >= intent.amount_received,
        "metadata": dict(intent.metadata),
        "refunds": snapshot["refunds"],
    }
