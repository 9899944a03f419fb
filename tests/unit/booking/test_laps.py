"""Which adult holds which infant (`infant_passenger_id`): named, or paired in order; every bad
name refused at its field, in the body's own 422 (booking/laps.py through parse_order_body)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from booking.laps import ONE_PER_ADULT
from booking.validation import parse_order_body
from kernel.errors import ValidationFailed

TODAY = dt.date(2026, 11, 25)


def _adult(name: str, **extra: Any) -> dict[str, Any]:
    return {"type": "adult", "given_name": name, "family_name": "Lovelace",
            "born_on": "1990-12-10", "gender": "f", **extra}  # fmt: skip


def _infant(name: str, **extra: Any) -> dict[str, Any]:
    return {**_adult(name), "type": "infant", "born_on": "2026-01-10", **extra}


def _child(name: str, **extra: Any) -> dict[str, Any]:
    return {**_adult(name), "type": "child", "born_on": "2018-01-10", **extra}


def _laps(*passengers: dict[str, Any]) -> list[str | None]:
    body = {"offer_id": "off_abc", "passengers": list(passengers)}
    return [p.infant_passenger_id for p in parse_order_body(body, today=TODAY).passengers]


def _errors(*passengers: dict[str, Any]) -> dict[str, str]:
    body = {"offer_id": "off_abc", "passengers": list(passengers)}
    with pytest.raises(ValidationFailed) as caught:
        parse_order_body(body, today=TODAY)
    return {e.field: e.message for e in caught.value.errors}


def test_without_names_each_infant_goes_on_the_next_adults_lap_in_order() -> None:
    laps = _laps(_adult("Ada"), _infant("Tim"), _adult("Bea"), _infant("Kit"), _adult("Cy"))

    assert laps == ["pas_2", None, "pas_4", None, None]


def test_an_adult_names_the_infant_on_their_lap() -> None:
    laps = _laps(_adult("Ada"), _adult("Bea", infant_passenger_id="pas_3"), _infant("Tim"))

    assert laps == [None, "pas_3", None]


def test_the_infants_no_one_names_go_to_the_adults_who_name_none_in_order() -> None:
    laps = _laps(
        _adult("Ada"),
        _adult("Bea", infant_passenger_id="pas_4"),
        _adult("Cy"),
        _infant("Tim"),
        _infant("Kit"),
    )

    assert laps == ["pas_5", "pas_4", None, None, None]


def test_a_saved_traveler_may_hold_an_infant() -> None:
    saved = {"type": "adult", "traveler_id": "trv_1", "infant_passenger_id": "pas_3"}

    assert _laps(_adult("Ada"), saved, _infant("Tim")) == [None, "pas_3", None]


def test_only_an_adult_holds_an_infant() -> None:
    errors = _errors(_adult("Ada"), _child("Kim", infant_passenger_id="pas_3"), _infant("Tim"))

    assert errors == {
        "passengers[1].infant_passenger_id": (
            "only an adult holds an infant on their lap; this passenger is a child"
        )
    }


def test_an_adult_holds_an_infant_only() -> None:
    errors = _errors(_adult("Ada", infant_passenger_id="pas_2"), _child("Kim"))

    assert errors == {
        "passengers[0].infant_passenger_id": "pas_2 is not an infant: passengers[1] is a child"
    }


def test_an_infant_named_by_two_adults_is_refused_at_the_second() -> None:
    errors = _errors(
        _adult("Ada", infant_passenger_id="pas_3"),
        _adult("Bea", infant_passenger_id="pas_3"),
        _infant("Tim"),
    )

    assert list(errors) == ["passengers[1].infant_passenger_id"]
    assert "already on the lap of passengers[0]" in errors["passengers[1].infant_passenger_id"]


def test_two_infants_on_one_adult_are_refused_naming_the_one_left_over() -> None:
    errors = _errors(_adult("Ada", infant_passenger_id="pas_2"), _infant("Tim"), _infant("Kit"))

    assert errors == {"passengers[2]": ONE_PER_ADULT}


@pytest.mark.parametrize("value", ["pas_4", "pas_0", "3", 3, "", "pas_x"])
def test_a_passenger_id_out_of_range_or_malformed_is_refused(value: object) -> None:
    errors = _errors(_adult("Ada", infant_passenger_id=value), _adult("Bea"), _infant("Tim"))

    assert list(errors) == ["passengers[0].infant_passenger_id"]


def test_an_out_of_range_id_says_how_many_passengers_there_are() -> None:
    errors = _errors(_adult("Ada", infant_passenger_id="pas_9"), _infant("Tim"))

    assert errors == {"passengers[0].infant_passenger_id": "no passenger pas_9: the order names 2"}


def test_lap_problems_are_named_beside_every_other_bad_field() -> None:
    errors = _errors(_adult("", infant_passenger_id="pas_1"), _infant("Tim"))

    assert set(errors) == {"passengers[0].given_name", "passengers[0].infant_passenger_id"}


def test_null_is_no_name_and_the_infant_is_paired_in_order() -> None:
    assert _laps(_adult("Ada", infant_passenger_id=None), _infant("Tim")) == ["pas_2", None]
