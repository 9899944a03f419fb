"""A passenger given as one of the caller's saved travelers (`traveler_id`): parsed alone, and
never mixed with the identity fields the saved traveler supplies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from booking.model import Passenger, TravelerPassenger
from booking.validation import parse_order_body
from kernel.errors import ValidationFailed

TODAY = dt.date(2026, 11, 25)


def _body(*passengers: dict[str, Any]) -> dict[str, Any]:
    return {"offer_id": "off_abc", "passengers": list(passengers)}


def _saved(**changes: Any) -> dict[str, Any]:
    return {"type": "adult", "traveler_id": "trv_0a1b2c", **changes}


def _errors(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_order_body(body, today=TODAY)
    return {e.field: e.message for e in caught.value.errors}


def test_a_saved_traveler_passenger_keeps_its_id_type_and_contact() -> None:
    body = _body(_saved(email="grace@example.com", phone_number="+442071838750"))

    (passenger,) = parse_order_body(body, today=TODAY).passengers

    assert passenger == TravelerPassenger(
        "adult", "trv_0a1b2c", "grace@example.com", "+442071838750"
    )


def test_saved_and_given_passengers_mix_in_one_order_in_their_order() -> None:
    given = {
        "type": "child",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "born_on": "2018-12-10",
        "gender": "f",
    }

    passengers = parse_order_body(_body(_saved(), given), today=TODAY).passengers

    assert [type(p) for p in passengers] == [TravelerPassenger, Passenger]


def test_identity_fields_beside_a_traveler_id_are_each_named() -> None:
    body = _body(_saved(given_name="Ada", family_name="Lovelace", born_on="1990-01-01", gender="f"))

    errors = _errors(body)

    assert set(errors) == {
        "passengers[0].given_name",
        "passengers[0].family_name",
        "passengers[0].born_on",
        "passengers[0].gender",
    }
    assert "traveler_id" in errors["passengers[0].given_name"]


@pytest.mark.parametrize(
    "traveler_id", [None, 7, "", "trv_", "usr_0a1b", "trv_a b", "trv_" + "x" * 61]
)
def test_a_traveler_id_that_cannot_name_a_saved_traveler_is_refused(traveler_id: Any) -> None:
    assert set(_errors(_body(_saved(traveler_id=traveler_id)))) == {"passengers[0].traveler_id"}


def test_every_bad_field_of_a_saved_traveler_passenger_is_named_at_once() -> None:
    body = _body(_saved(type="senior", email="not-an-email", phone_number="123", seat="14C"))

    assert set(_errors(body)) == {
        "passengers[0].type",
        "passengers[0].email",
        "passengers[0].phone_number",
        "passengers[0].seat",
    }
