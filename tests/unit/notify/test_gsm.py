"""Every SMS goes in the GSM-7 alphabet: one character outside it sends the whole message as
UCS-2, 70 characters a segment instead of 160."""

from __future__ import annotations

import msgspec
import pytest

from notify.gsm import is_gsm7, to_gsm7
from tests.support.notify import order_event, rendered


def test_a_changes_sms_spells_the_arrow_in_gsm7_and_fits_one_segment() -> None:
    event = order_event("order.changed", payment_status="paid")
    flights = "LHR → JFK on 22 Dec 2026 (BA117 at 08:25)"
    order = msgspec.structs.replace(event.order, change_summary=flights)
    email, sms = rendered(msgspec.structs.replace(event, order=order))

    assert flights in email.subject  # the mail keeps the arrow: it is UTF-8
    assert sms.body == (
        "Skyfare: booking K7Q2MZ is changed: LHR - JFK on 22 Dec 2026 (BA117 at 08:25). "
        "Nothing more was charged."
    )
    assert is_gsm7(sms.body)
    assert len(sms.body) <= 160


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("Müller, Zoë, Ñúñez", "Müller, Zoe, Ñuñez"),  # ü, Ñ, ñ are GSM-7; ë and ú are not
        ("Łukasiewicz – “ok”…", 'Lukasiewicz - "ok"...'),
        ("Price: 12 €, [x]", "Price: 12 €, [x]"),
        ("漢字", "??"),
    ],
)
def test_text_beyond_gsm7_is_spelled_in_it(text: str, sent: str) -> None:
    assert to_gsm7(text) == sent
    assert is_gsm7(sent)
