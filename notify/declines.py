"""Why a card payment failed and what to do next, in the traveler's words.

The gateway's code (`insufficient_funds`, `expired_card`: Stripe's `decline_code`, else its
`code`; ours for the gateway itself, payment/wire.py) is for us and for support; the mail and
the SMS say a phrase and a next step, never the code. The words are the web app's
(web/src/lib/declines.ts), so the mail says what the trip's page says;
tests/unit/notify/test_declines.py keeps the two tables' codes the same. Lost, stolen, fraud and
pick-up codes read as a plain decline, as the gateways advise. An unknown code, or none (an
event written before the code was carried), gets generic words.
"""

from __future__ import annotations

import msgspec


class Decline(msgspec.Struct, frozen=True):
    phrase: str  # inside a sentence: "your bank declined the card"
    next: str  # what the traveler can do, as a sentence


_TRY_ANOTHER = "Try another card."
_BANK_SAID_NO = Decline("your bank declined the card", "Try another card, or ask your bank why.")
_LIMIT = Decline("the card has reached its spending limit", _TRY_ANOTHER)
_CVC = Decline(
    "the card's security code was wrong", "Check the code on the back of the card and try again."
)
_NUMBER = Decline("the card number was wrong", "Check the number and try again.")
_REFUSED = Decline("the card payment service refused the card", _TRY_ANOTHER)
_SECURE = Decline(
    "your bank's security check (3-D Secure) was not completed",
    "Try again and confirm the payment with your bank, or try another card.",
)
# No code, or one we do not know: nothing more to say than that it failed.
GENERIC = Decline("the card was not accepted", _TRY_ANOTHER)

# Told as a plain decline: the bank tells its customer more, a merchant does not.
_PLAIN = (
    "generic_decline", "card_declined", "do_not_honor", "do_not_try_again", "lost_card",
    "stolen_card", "pickup_card", "restricted_card", "fraudulent", "security_violation",
    "transaction_not_allowed",
)  # fmt: skip

DECLINES: dict[str, Decline] = {
    **dict.fromkeys(_PLAIN, _BANK_SAID_NO),
    "insufficient_funds": Decline(
        "the card has too little money available", "Try another card, or add funds and try again."
    ),
    "card_velocity_exceeded": _LIMIT,
    "withdrawal_count_limit_exceeded": _LIMIT,
    "expired_card": Decline("the card has expired", _TRY_ANOTHER),
    "incorrect_cvc": _CVC,
    "invalid_cvc": _CVC,
    "incorrect_number": _NUMBER,
    "invalid_number": _NUMBER,
    "card_not_supported": Decline("this card cannot be used for this payment", _TRY_ANOTHER),
    "currency_not_supported": Decline("this card cannot pay in this currency", _TRY_ANOTHER),
    "authentication_required": Decline(
        "your bank asked to confirm the payment", "Try again and confirm it, or try another card."
    ),
    # Stripe's `code` when the 3-D Secure check failed or was abandoned (no decline_code).
    "payment_intent_authentication_failure": _SECURE,
    "processing_error": Decline(
        "the card could not be processed", "Try again in a moment, or try another card."
    ),
    "capture_failed": Decline(
        "the amount authorised could not be taken from the card", "Try again, or try another card."
    ),
    "gateway_refused": _REFUSED,
    "card_rejected": _REFUSED,
    "gateway_unreachable": Decline(
        "the card payment service did not answer", "Try again in a moment."
    ),
    "payment_failed": GENERIC,
    "charge_disputed": Decline(
        "the payment is disputed with your bank", "Contact your bank or our support."
    ),
    # Ours (payment/model.py CANCELED): left waiting for the bank for another card; never
    # mailed (the traveler chose it), kept here as the web app's twin.
    "canceled": Decline(
        "the payment waiting for your bank's confirmation was canceled",
        "Pay now with the card you choose.",
    ),
}


def decline(code: str | None) -> Decline:
    """The words for the gateway's `code`; generic ones for an unknown code or none."""
    return GENERIC if code is None else DECLINES.get(code, GENERIC)
