"""The words every message shares: the Struct of one event's words, and how money and
instants are written (amounts with their currency, instants with their zone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from kernel.dates import utc_words
from notify.wire import WireOrder


class Text(msgspec.Struct, frozen=True):
    """One event's words: the email's subject and body paragraphs, and the SMS."""

    subject: str
    paragraphs: tuple[str, ...]
    sms: str


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def by(moment: dt.datetime | None, otherwise: str) -> str:
    """`by 06 Dec 2026, 14:00 UTC`, or `otherwise` for an order without a payment deadline:
    words that fit where "by <deadline>" stands, never a bare "soon" ("pay by soon")."""
    return otherwise if moment is None else f"by {utc_words(moment)}"


def total_of(order: WireOrder) -> str:
    return money(order.total_amount, order.total_currency)


def card_words(order: WireOrder) -> str:
    """The card a refund goes (or went) back to: "your card ending 4242" when the event names
    it, else "your card" (the gateway named none, or an event written before it was carried)."""
    return f"your card ending {order.refund_card_last4}" if order.refund_card_last4 else "your card"
