"""An order's mail links to the booking's page in the web app, a route the app serves."""

from __future__ import annotations

import re

import msgspec
import pytest

from booking.events import EventType, encode_event, new_event
from notify.templates import Email, render
from notify.wire import decode_event
from skyfare.webapp import CLIENT_ROUTES
from tests.support.orders import ADA, stored_order

WEB = "https://www.skyfare.example"


def _mail(type: EventType, web_url: str = WEB) -> Email:
    order = stored_order(status="confirmed", payment_status="paid", passengers=(ADA,))
    event = new_event(type, order.snapshot(), order.contact(), owner=order.owner)
    email, _ = render(decode_event(encode_event(event)), web_url=web_url)
    assert isinstance(email, Email)
    return email


def _served(path: str) -> bool:
    """Whether the web app has a screen at `path` (skyfare/webapp.py answers it the shell)."""
    patterns = (re.sub(r"\{[a-z_]+\}", "[^/]+", route) for route in CLIENT_ROUTES)
    return any(re.fullmatch(p, path) for p in patterns)


@pytest.mark.parametrize(
    "type", ["order.held", "order.confirmed", "order.cancelled", "payment.failed", "order.changed"]
)
def test_an_orders_mail_links_to_its_page_in_the_web_app(type: EventType) -> None:
    email = _mail(type)

    [link] = re.findall(r"Your booking: (\S+)\n", email.body)
    assert link == f"{WEB}/trips/ord_{'a' * 24}"
    assert _served(link.removeprefix(WEB))
    assert email.body.endswith(f"Your booking: {link}\n\nSkyfare\n")


def test_without_a_web_address_no_link_is_written() -> None:
    assert "Your booking:" not in _mail("order.confirmed", web_url="").body


def test_the_erasures_confirmation_links_to_no_booking() -> None:
    notice = {
        "id": "e1", "type": "account.erased", "occurred_at": "2026-12-06T10:00:00Z",
        "contact": {"given_name": "Ada", "family_name": "L", "email": "ada@example.com"},
    }  # fmt: skip
    [email] = render(decode_event(msgspec.json.encode(notice)), web_url=WEB)

    assert isinstance(email, Email)
    assert WEB not in email.body
