"""The mail as it goes on the wire: headers a mail reader shows as written, a body that decodes
back to what the template wrote, and no way for a subject to add a header of its own."""

from __future__ import annotations

import email
from email.header import decode_header, make_header
from email.message import Message

import pytest

from booking.events import encode_event
from notify.mail import from_header, mail_bytes
from notify.templates import Email, render
from notify.wire import WireEvent, decode_event
from tests.support.notify import order_event


def _parsed(mail: Email, *, key: str = "e1.email") -> Message:
    raw = mail_bytes(mail, mail_from="Skyfare <b@x.example>", key=key)
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only, as SMTP wants
    return email.message_from_bytes(raw)


def _text(message: Message, header: str) -> str:
    return str(make_header(decode_header(message[header])))


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "ascii").replace("\r\n", "\n")


def test_the_mail_carries_a_message_id_derived_from_event_and_channel() -> None:
    event: WireEvent = decode_event(encode_event(order_event()))
    mail, _ = render(event)
    assert isinstance(mail, Email)

    first = _parsed(mail, key=f"{event.id}.email")
    again = _parsed(mail, key=f"{event.id}.email")

    assert (
        first["Message-ID"] == again["Message-ID"] == f"<{event.id}.email@notify.skyfare.example>"
    )
    assert first["From"] == "Skyfare <b@x.example>"
    assert first["To"] == "ada@example.com"
    assert first["Subject"] == mail.subject
    assert first.get_content_type() == "text/plain"
    assert first["Content-Transfer-Encoding"] == "quoted-printable"
    assert _body(first) == mail.body


@pytest.mark.parametrize(
    "body",
    [
        "Hello Zoë,\n\nYour booking is held.\n\nSkyfare\n",
        "x" * 200 + "\n" + "= signs = and trailing spaces   \n",
        ".\n..leading dots\n.\n",
        "Windows line ends\r\nfrom an agent\r\n",
        "no line end at all ✈",
    ],
)
def test_the_body_decodes_back_to_what_the_template_wrote(body: str) -> None:
    message = _parsed(Email("ada@example.com", "Subject", body))

    assert _body(message) == body.replace("\r\n", "\n")


def test_a_subject_beyond_ascii_is_sent_as_encoded_words() -> None:
    message = _parsed(Email("zoe@example.com", "Réservation K7Q2MZ ✈", "Bonjour Zoë,\n"))

    assert message["Subject"].startswith("=?utf-8?")
    assert _text(message, "Subject") == "Réservation K7Q2MZ ✈"


def test_a_long_subject_is_folded_and_reads_back_whole() -> None:
    subject = "Re: " + " ".join(f"word{i}" for i in range(60)) + " [booking K7Q2MZ]"
    raw = mail_bytes(Email("ada@example.com", subject, "Hi\n"), mail_from="b@x.example", key="k")

    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    unfolded = _text(email.message_from_bytes(raw), "Subject").replace("\r\n", "").replace("\n", "")
    assert unfolded == subject


@pytest.mark.parametrize("subject", ["Booking\r\nBcc: eve@example.com", "Résa\nBcc: eve@x.example"])
def test_a_line_break_in_a_subject_cannot_add_a_header(subject: str) -> None:
    message = _parsed(Email("ada@example.com", subject, "Hi\n"))

    assert message["Bcc"] is None
    assert _text(message, "Subject") == " ".join(subject.split())


def test_a_recipient_that_is_not_one_ascii_address_cannot_be_written() -> None:
    for to in ("ada@example.com\r\nBcc: eve@example.com", "zoë@example.com"):
        with pytest.raises(ValueError, match="recipient"):
            mail_bytes(Email(to, "Subject", "Hi\n"), mail_from="b@x.example", key="k")


def test_the_sender_header_encodes_a_name_beyond_ascii_and_keeps_the_envelope_address() -> None:
    assert from_header("Skyfare <bookings@skyfare.example>") == (
        "Skyfare <bookings@skyfare.example>",
        "bookings@skyfare.example",
    )
    header, sender = from_header("Skyfäre <bookings@skyfare.example>")
    assert header.isascii()
    assert sender == "bookings@skyfare.example"
    with pytest.raises(ValueError, match="sender"):
        from_header("not an address <>")
