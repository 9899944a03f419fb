"""Support's pure rules: what a case request must hold, and what a name correction may change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from booking.amendments import check_correction, edit_distance
from booking.model import Order, Passenger
from kernel.errors import ValidationFailed
from notify.templates import Email, render
from notify.wire import WireContact, WireEvent, WireOrder, WireReply
from support.model import check_open


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_a_traveler_case_names_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_open({"subject": " ", "order_id": "ord_nope", "extra": 1}, anonymous=False)

    assert _fields(exc) == {"subject", "message", "order_id", "extra"}


def test_an_anonymous_case_needs_a_reference_and_a_family_name() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_open({"subject": "Q", "message": "?", "booking_reference": "k7q2"}, anonymous=True)

    assert _fields(exc) == {"booking_reference", "family_name"}


@pytest.mark.parametrize("typed", ["k7q2mz", " K7Q2MZ ", "k7Q2mZ"])
def test_a_booking_reference_is_taken_as_typed_from_a_ticket(typed: str) -> None:
    request = check_open(
        {"subject": "Q", "message": "?", "booking_reference": typed, "family_name": "X"},
        anonymous=True,
    )

    assert request.booking_reference == "K7Q2MZ"


@pytest.mark.parametrize(
    ("body", "anonymous"),
    [
        ({"subject": "Q", "message": "?", "order_id": 7}, False),
        ({"subject": 1, "message": "?", "booking_reference": ["K7Q2MZ"], "family_name": 2}, True),
    ],
)
def test_a_field_of_the_wrong_type_is_named_once(body: dict[str, object], anonymous: bool) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_open(body, anonymous=anonymous)

    named = [e.field for e in exc.value.errors]
    assert sorted(named) == sorted(set(named))
    assert all(e.message == "must be a string" for e in exc.value.errors if e.field != "message")


def test_a_good_anonymous_case_is_trimmed() -> None:
    request = check_open(
        {"subject": " Q ", "message": "?", "booking_reference": "K7Q2MZ", "family_name": "X"},
        anonymous=True,
    )
    assert (request.subject, request.booking_reference) == ("Q", "K7Q2MZ")


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("Lovelace", "Lovelace", 0), ("Lovelace", "Lovelase", 1), ("Ada", "Adda", 1), ("", "abc", 3)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance


def _order() -> Order:
    now = dt.datetime.now(dt.UTC)
    return Order(
        id="ord_" + "0" * 24, owner="alice", booking_reference="K7Q2MZ", type="hold",
        status="held", payment_status="unpaid", offer_id="off_x", connector="rest-x",
        airline_locator=None, total_amount=Decimal("10"), total_currency="EUR",
        payment_required_by=None, slices=(),
        passengers=(Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),),
        ticket_numbers=(), failure_reason=None, created_at=now, updated_at=now,
    )  # fmt: skip


def test_a_correction_within_the_limit_passes_and_one_past_it_is_refused() -> None:
    check_correction(_order(), 0, "Ada", "Lovelase", max_changes=3)
    with pytest.raises(ValidationFailed) as exc:
        check_correction(_order(), 0, "Ada", "Byron", max_changes=3)
    assert _fields(exc) == {"family_name"}
    with pytest.raises(ValidationFailed) as exc:
        check_correction(_order(), 1, "Ada", "Lovelace", max_changes=3)
    assert _fields(exc) == {"passenger_index"}


def test_an_agent_reply_is_mailed_with_its_words() -> None:
    event = WireEvent(
        id="e1",
        type="support.replied",
        order=WireOrder("K7Q2MZ", Decimal("10"), "EUR"),
        contact=WireContact("Ada", "Lovelace", "ada@example.com", "+442071838750"),
        reply=WireReply("cas_1", "Extra bag", "Yes: 35 EUR.", "Grace"),
    )
    [mail, sms] = render(event)

    assert isinstance(mail, Email)
    assert "Yes: 35 EUR." in mail.body
    assert "K7Q2MZ" in sms.body


@pytest.mark.parametrize(
    ("subject", "message", "named"),
    [
        ("\u0007", "Hello", "subject"),
        ("Bags\nand seats", "Hello", "subject"),
        ("Bags", "Hi \x1b[2J there", "message"),
        ("Bags\u2028and seats", "Hello", "subject"),  # a line separator: not one line
        ("Refund for \u202egnp.exe", "Hello", "subject"),  # a bidi override
        ("Bags", "Pay \u2066100\u2069 EUR", "message"),  # a bidi isolate
    ],
    ids=["BEL", "newline", "escape sequence", "line separator", "override", "isolate"],
)
def test_control_characters_are_refused_naming_the_field(
    subject: str, message: str, named: str
) -> None:
    body = {"subject": subject, "message": message, "order_id": "ord_" + "a" * 24}
    with pytest.raises(ValidationFailed) as refused:
        check_open(body, anonymous=False)
    assert [error.field for error in refused.value.errors] == [named]


def test_a_subject_too_long_is_not_called_missing() -> None:
    body = {"subject": "s" * 201, "message": "m" * 5001, "order_id": "ord_" + "a" * 24}
    with pytest.raises(ValidationFailed) as refused:
        check_open(body, anonymous=False)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("subject", "at most 200 characters"),
        ("message", "at most 5000 characters"),
    ]


def test_a_message_keeps_its_line_breaks_and_tabs() -> None:
    body = {"subject": "Bags", "message": "Hello,\r\n\tTwo bags?", "order_id": "ord_" + "a" * 24}
    assert check_open(body, anonymous=False).message == "Hello,\r\n\tTwo bags?"


def test_an_order_id_without_a_token_is_refused_naming_it_not_dropped() -> None:
    body = {"subject": "Q", "message": "?", "booking_reference": "K7Q2MZ", "family_name": "X"}

    with pytest.raises(ValidationFailed) as exc:
        check_open({**body, "order_id": "ord_" + "0" * 24}, anonymous=True)

    assert _fields(exc) == {"order_id"}
    assert check_open({**body, "order_id": None}, anonymous=True).order_id is None


@pytest.mark.parametrize("member", ["booking_reference", "family_name"])
def test_a_booking_pair_member_with_a_token_is_refused_naming_it_not_dropped(member: str) -> None:
    body = {"subject": "Q", "message": "?", "order_id": "ord_" + "0" * 24}

    with pytest.raises(ValidationFailed) as exc:
        check_open({**body, member: "K7Q2MZ"}, anonymous=False)

    assert _fields(exc) == {member}
    assert check_open({**body, member: None}, anonymous=False).order_id == body["order_id"]
