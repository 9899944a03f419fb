"""Order bodies: every bad field named at once; passengers matched to the offer's mix and ages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from booking.model import Passenger
from booking.seats import parse_choose_seats
from booking.validation import (
    age_on,
    check_against_offer,
    parse_order_body,
)
from connectors.model import Passengers
from kernel.errors import BadRequest, FieldError, ValidationFailed
from kernel.http import json_object

TODAY = dt.date(2026, 11, 25)
DEPARTS = dt.date(2026, 12, 20)


def _passenger(**changes: Any) -> dict[str, Any]:
    return {
        "type": "adult",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "born_on": "1990-12-10",
        "gender": "f",
        "email": "ada@example.com",
        "phone_number": "+442071838750",
        **changes,
    }


def _body(**changes: Any) -> dict[str, Any]:
    return {"offer_id": "off_abc", "passengers": [_passenger()], **changes}


def _fields(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_order_body(body, today=TODAY)
    return {e.field for e in caught.value.errors}


def test_a_valid_body_becomes_a_hold_order_request() -> None:
    request = parse_order_body(_body(), today=TODAY)

    assert (request.offer_id, request.type, request.payment) == ("off_abc", "hold", None)
    assert request.passengers[0].born_on == dt.date(1990, 12, 10)


def test_names_are_trimmed_and_inner_spaces_collapsed() -> None:
    body = _body(passengers=[_passenger(given_name="  Ada  Augusta ", family_name="King-Noel")])

    passenger = parse_order_body(body, today=TODAY).passengers[0]

    assert (passenger.given_name, passenger.family_name) == ("Ada Augusta", "King-Noel")


def test_names_in_other_scripts_and_with_apostrophes_are_fine() -> None:
    body = _body(passengers=[_passenger(given_name="Zoë", family_name="O'Brien-Müller")])

    assert parse_order_body(body, today=TODAY).passengers[0].given_name == "Zoë"


def test_every_bad_field_is_named_in_one_failure() -> None:
    bad = _passenger(type="pet", given_name="", family_name="x" * 51, born_on="2026-13-01",
                     gender="?", email="ada@", phone_number="07700 900000", pet=True)  # fmt: skip

    fields = _fields({"offer_id": 7, "type": "later", "passengers": [bad], "coupon": "X"})

    assert fields == {
        "offer_id", "type", "coupon", "passengers[0].pet", "passengers[0].type",
        "passengers[0].given_name", "passengers[0].family_name", "passengers[0].born_on",
        "passengers[0].gender", "passengers[0].email", "passengers[0].phone_number",
    }  # fmt: skip


@pytest.mark.parametrize(
    "born_on",
    ["2026-11-25", "2027-01-01", "1899-12-31", "25/11/1990", 19901210, "1990-W50-1", "19901210"],
)
def test_a_birth_date_must_be_a_past_date(born_on: object) -> None:
    assert _fields(_body(passengers=[_passenger(born_on=born_on)])) == {"passengers[0].born_on"}


@pytest.mark.parametrize("passengers", [[], None, "Ada", [_passenger()] * 19])
def test_passengers_must_be_one_to_eighteen(passengers: object) -> None:
    assert _fields(_body(passengers=passengers)) == {"passengers"}


def test_an_instant_order_needs_a_payment_and_a_hold_order_takes_none() -> None:
    assert _fields(_body(type="instant")) == {"payment"}
    assert _fields(_body(payment={"card_token": "tok_visa"})) == {"payment"}
    assert _fields(_body(type="instant", payment={"card": "4242"})) == {
        "payment.card",
        "payment.card_token",
    }


def test_an_instant_order_with_a_card_token_is_valid() -> None:
    request = parse_order_body(
        _body(type="instant", payment={"card_token": "tok_visa"}), today=TODAY
    )

    assert request.payment is not None
    assert request.payment.card_token == "tok_visa"


def test_malformed_json_is_a_bad_request() -> None:
    with pytest.raises(BadRequest):
        json_object(b"{")


@pytest.mark.parametrize("body", [b"[1]", b"null", b'"x"'])
def test_json_that_is_not_an_object_is_a_422_naming_the_body(body: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        json_object(body)

    assert [e.field for e in caught.value.errors] == ["body"]


def _pax(kind: str, born_on: dt.date) -> Passenger:
    return Passenger(kind, "Ada", "Lovelace", born_on, "f")  # type: ignore[arg-type]


def test_passengers_matching_the_offers_mix_and_ages_pass() -> None:
    family = (
        _pax("adult", dt.date(1990, 1, 1)),
        _pax("child", dt.date(2018, 1, 1)),
        _pax("infant", dt.date(2026, 1, 1)),
    )

    check_against_offer(family, Passengers(adults=1, children=1, infants=1), DEPARTS)


def test_a_mix_other_than_the_offers_is_refused_naming_passengers() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_against_offer((_pax("adult", dt.date(1990, 1, 1)),) * 2, Passengers(), DEPARTS)

    assert [e.field for e in caught.value.errors] == ["passengers"]
    assert caught.value.errors[0].message == (
        "the offer is for 1 adult, 0 children, 0 infants; the order names 2 adults, 0 children,"
        " 0 infants"
    )


@pytest.mark.parametrize(
    ("kind", "born_on"),
    [
        ("infant", dt.date(2024, 12, 20)),  # turns 2 on the day of departure
        ("child", dt.date(2024, 12, 21)),  # under 2: an infant
        ("child", dt.date(2014, 12, 20)),  # 12 on the day of departure: an adult
        ("adult", dt.date(2014, 12, 21)),  # 11
    ],
)
def test_ages_at_departure_must_fit_the_passenger_type(kind: str, born_on: dt.date) -> None:
    mix = Passengers(
        adults=int(kind == "adult"), children=int(kind == "child"), infants=int(kind == "infant")
    )

    with pytest.raises(ValidationFailed) as caught:
        check_against_offer((_pax(kind, born_on),), mix, DEPARTS)

    assert [e.field for e in caught.value.errors] == ["passengers[0].born_on"]


def test_age_counts_whole_years_up_to_the_day() -> None:
    assert age_on(dt.date(2000, 12, 20), dt.date(2026, 12, 19)) == 25
    assert age_on(dt.date(2000, 12, 20), dt.date(2026, 12, 20)) == 26


# -- contact details: exactly one address, exactly one number ------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "a,bob@example.com",  # two recipients
        "<x>@example.com",  # mailed x
        "Ada <ada@example.com>",  # a display name
        "ada@example.com\n",  # passes `$`
        "ada@example.com\r\nBcc: eve@example.com",
        "ad\u202ea@example.com",  # right-to-left override
        "ada\x00@example.com",
        "ada\u200b@example.com",  # zero-width space
        "ada @example.com",
        '"ada lovelace"@example.com',
        "ada@example.com,eve@example.com",
        "ada@@example.com",
        "ada.@example.com",
        "ada@localhost",
        "ada@[127.0.0.1]",
        "ada@exa_mple.com",
        "ada@-example.com",
        "adä@example.com",
        "a" * 65 + "@example.com",
        "ada@" + "a" * 250 + ".com",
    ],
)
def test_an_email_that_is_not_exactly_one_address_is_refused(email: str) -> None:
    assert _fields(_body(passengers=[_passenger(email=email)])) == {"passengers[0].email"}


@pytest.mark.parametrize(
    "email", ["ada@example.com", "ada.king+trips@mail.example.co.uk", "o'brien@xn--bcher-kva.de"]
)
def test_plain_addresses_are_kept_as_given(email: str) -> None:
    passenger = parse_order_body(_body(passengers=[_passenger(email=email)]), today=TODAY)

    assert passenger.passengers[0].email == email


@pytest.mark.parametrize(
    "phone",
    [
        "+442071838750\n",
        "+44 20 7183 8750",
        "+44207183875\u202e0",
        "+" + "\u0664\u0664\u0662\u0660\u0667\u0661\u0668\u0663\u0668\u0667",  # Arabic digits
        "+4420718387501234",  # 16 digits
        "+1234567",  # 7 digits
        "+0442071838750",
        "442071838750",
    ],
)
def test_a_phone_number_must_be_e164_ascii(phone: str) -> None:
    assert _fields(_body(passengers=[_passenger(phone_number=phone)])) == {
        "passengers[0].phone_number"
    }


# -- names: one form (NFC), one script, nothing invisible ----------------------------------------


def _named(given_name: str) -> Passenger:
    return parse_order_body(_body(passengers=[_passenger(given_name=given_name)]), today=TODAY)


def test_a_decomposed_name_is_accepted_and_stored_composed() -> None:
    decomposed = "Jose\u0301"

    passenger = _named(decomposed).passengers[0]

    assert passenger.given_name == "Jos\u00e9"  # NFC: the same bytes as a composed José


def test_a_typographic_apostrophe_is_stored_as_a_plain_one() -> None:
    assert _named("D\u2019Arcy").passengers[0].given_name == "D'Arcy"


@pytest.mark.parametrize(
    "name",
    ["Zoë", "Nguyễn Thị", "Ólafur", "Łukasz", "Ἀλέξανδρος", "Алексей", "山田 太郎", "やまだ たろう",
     "김민준", "अनिल", "محمد", "ʻIolani", "Saint-Exupéry", "D'Arcy"],
)  # fmt: skip
def test_names_in_one_script_with_their_diacritics_are_fine(name: str) -> None:
    assert _named(name).passengers[0].given_name == name


@pytest.mark.parametrize(
    "name",
    [
        "\u3164",  # Hangul filler: a "letter" that shows nothing
        "Ada\u3164",
        "\u115f\u1160",
        "Ada\u2800",  # Braille blank
        "Ad\u200ba",  # zero-width space
        "Ada\u200d",  # zero-width joiner
        "\u202eadA",  # right-to-left override
        "Ada\u2066",  # left-to-right isolate
        "Ada\x00",
        "Ada\nLovelace",
        "Ada\ufe0f",  # variation selector
        "\u0410da",  # Cyrillic А + Latin "da": a homoglyph of "Ada"
        "Ada L\u043evelace",  # Cyrillic о inside a Latin name
        "\U0001d400da",  # mathematical bold A
        "\uff21da",  # fullwidth A
        "A\u0301\u0300\u0302\u0303\u0304da",  # a stack of combining marks
        "\u0301Ada",
        "-Ada",
        "Ada2",
    ],
)
def test_invisible_control_mixed_script_and_styled_names_are_refused(name: str) -> None:
    assert _fields(_body(passengers=[_passenger(given_name=name)])) == {"passengers[0].given_name"}


def test_seats_asked_for_with_the_order_are_read_and_each_bad_field_named() -> None:
    seat = {"type": "seat", "segment_id": "seg_x", "passenger_id": "pas_1", "designator": "14c"}
    asked = parse_order_body(_body(services=[seat]), today=TODAY)
    assert [(s.passenger_id, s.designator) for s in asked.services] == [("pas_1", "14C")]
    assert parse_order_body(_body(services=[]), today=TODAY).services == ()

    bad = {"type": "bag", "segment_id": "seg_x", "passenger_id": "ada", "designator": "C14"}
    with pytest.raises(ValidationFailed) as failed:
        parse_order_body(_body(services=[seat, bad, "14C"]), today=TODAY)

    assert [e.field for e in failed.value.errors] == [
        "services[1].type",
        "services[1].passenger_id",
        "services[1].designator",
        "services[2]",
    ]


def _messages(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_order_body(body, today=TODAY)
    return {e.field: e.message for e in caught.value.errors}


def test_a_field_given_but_invalid_is_not_called_missing() -> None:
    # "required" tells a client it left the field out; one it sent wrong must read "must be".
    sent_wrong = _messages(
        {
            "offer_id": 42,
            "type": "instant",
            "payment": {"card_token": 7},
            "passengers": [_passenger(given_name=["Ada"], born_on="1990-13-45")],
        }
    )
    assert sent_wrong == {
        "offer_id": "must be an offer id from a search",
        "payment.card_token": "must be a card token",
        "passengers[0].given_name": "must be a non-empty string",
        "passengers[0].born_on": "must be a date, YYYY-MM-DD",
    }
    assert _messages({"passengers": "Ada"})["passengers"] == "must be an array of 1 to 18"
    left_out = _messages({"passengers": [{"type": "adult", "gender": "f"}]})
    assert left_out == {
        "offer_id": "required: an offer id from a search",
        "passengers[0].given_name": "required: a non-empty string",
        "passengers[0].family_name": "required: a non-empty string",
        "passengers[0].born_on": "required: a date, YYYY-MM-DD",
    }


def _order_payment_errors(payment: object) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as caught:
        parse_order_body(_body(type="instant", payment=payment), today=TODAY)
    return list(caught.value.errors)


def _seat_payment_errors(payment: object) -> list[FieldError]:
    seat = {"type": "seat", "segment_id": "seg_1", "passenger_id": "pas_1", "designator": "1A"}
    with pytest.raises(ValidationFailed) as caught:
        parse_choose_seats({"services": [seat], "payment": payment})
    return list(caught.value.errors)


@pytest.mark.parametrize("errors_of", [_order_payment_errors, _seat_payment_errors])
def test_a_payment_is_checked_alike_in_an_order_and_a_seat_change(
    errors_of: Callable[[object], list[FieldError]],
) -> None:
    # One rule for both bodies (booking.validation.payment_method): the seat body used to cut an
    # unknown field's name to 40 characters, which then named no field the client sent.
    long_name = "card_number_" + "x" * 60

    assert errors_of({"card_token": "tok_visa", long_name: "4242"}) == [
        FieldError(f"payment.{long_name}", "unknown field")
    ]
    assert errors_of("tok_visa") == [FieldError("payment", "must be an object")]
    assert errors_of({"card_token": "t" * 256}) == [
        FieldError("payment.card_token", "must be a card token")
    ]
    assert errors_of({}) == [FieldError("payment.card_token", "required: a card token")]


def test_a_seat_body_names_its_unknown_fields_whole_as_every_body_does() -> None:
    # The seat body cut unknown names to 40 characters at its top level and in `services[]`,
    # so `field` named nothing the client sent; every other body names them whole.
    long_name = "preferred_seat_position_" + "x" * 40
    seat = {
        "type": "seat",
        "segment_id": "seg_1",
        "passenger_id": "pas_1",
        "designator": "1A",
        long_name: "window",
    }
    with pytest.raises(ValidationFailed) as caught:
        parse_choose_seats({"services": [seat], long_name: 1})

    assert set(caught.value.errors) == {
        FieldError(long_name, "unknown field"),
        FieldError(f"services[0].{long_name}", "unknown field"),
    }


def test_an_infant_must_still_be_under_two_on_the_last_flight_a_child_fits_on_the_first() -> None:
    back = DEPARTS + dt.timedelta(days=30)
    infant = _pax("infant", dt.date(2025, 1, 1))  # 1 on the way out, 2 on the way back
    child = _pax("child", dt.date(2015, 1, 1))  # 11 on the way out, 12 on the way back

    check_against_offer((child,), Passengers(adults=0, children=1), DEPARTS, back)
    with pytest.raises(ValidationFailed) as caught:
        check_against_offer((infant,), Passengers(adults=0, infants=1), DEPARTS, back)

    [error] = caught.value.errors
    assert error.field == "passengers[0].born_on"
    assert f"the last leaves {back}" in error.message
