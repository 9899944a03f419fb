"""What the traveler is told about their money: a payment that failed (why, in words, and until
when another card can pay) and a refund once it is made (how much, to which card, how long
banks take)."""

from __future__ import annotations

from decimal import Decimal

from kernel.dates import utc_words
from notify.declines import decline
from notify.wire import WireOrder
from notify.words import Text, by, card_words, money, total_of


def payment_failed(order: WireOrder) -> Text:
    ref, total, deadline = order.booking_reference, total_of(order), order.payment_required_by
    # Why in words, never the gateway's code; `failure_reason` is the order's own (a cancel's).
    declined = decline(order.payment_decline_code)
    if deadline is None:  # an order without a payment deadline: no date to promise
        held = "pay with another card as soon as you can, before the airline releases the seats."
    else:
        held = (
            f"you can pay with another card until {utc_words(deadline)}. "
            "After that the airline releases the seats."
        )
    return Text(
        subject=f"Payment for booking {ref} failed",
        paragraphs=(
            f"Your payment of {total} for booking {ref} did not go through: {declined.phrase}.",
            declined.next,
            f"Your booking stays held: {held}",
        ),
        sms=f"Skyfare: payment of {total} for booking {ref} failed: {declined.phrase}. "
        f"Pay {by(deadline, 'as soon as you can')} to keep the booking.",
    )


def refunded(order: WireOrder) -> Text:
    """The money is back at the gateway (`payment.refunded`, once per order): what came back,
    to which card, and how long banks take. The cancellation's mail only promised it."""
    given = order.total_amount if order.refund_amount is None else order.refund_amount
    kept = ""
    if given < order.total_amount:
        kept = f"It is what your fare conditions give back of the {total_of(order)} you paid."
    return _refund(order, money(given, order.total_currency), kept)


def change_refunded(order: WireOrder) -> Text:
    """A cheaper change's difference is back at the gateway (`order.change_refunded`, once
    per change); the change's mail only promised it."""
    given = money(order.refund_amount or Decimal(0), order.total_currency)
    return _refund(order, given, "It is the difference your cheaper new flights left.")


def returned(order: WireOrder) -> Text:
    """A charge the booking never took is back at the gateway (`payment.returned`): the card was
    charged after we had given the payment up, and had told the traveler it failed."""
    given = money(order.refund_amount or Decimal(0), order.total_currency)
    why = (
        "Your card was charged after we had stopped waiting for that payment and told you it "
        "had not gone through, so all of it goes back."
    )
    return _refund(order, given, why)


def seat_charge_returned(order: WireOrder) -> Text:
    """A refused seat change's charge is back at the gateway (`order.seat_charge_returned`);
    `order.seat_change_refunded` said it was on its way."""
    given = money(order.refund_amount or Decimal(0), order.total_currency)
    return _refund(order, given, "It is what you paid for the seat that was taken meanwhile.")


def _refund(order: WireOrder, amount: str, why: str) -> Text:
    ref = order.booking_reference
    card = card_words(order)
    return Text(
        subject=f"Booking {ref}: we've refunded {amount}",
        paragraphs=(
            f"We've refunded {amount} to {card} for booking {ref}. {why}".rstrip(),
            "It can take 5 to 10 business days to show on your statement, depending on your bank.",
        ),
        sms=f"Skyfare: we've refunded {amount} to {card} for booking {ref}. It can take 5-10 "
        "days to show.",
    )
