"""Booking references: an unambiguous alphabet, six characters, retried on collision."""

from __future__ import annotations

import random
import re

import pytest

from booking.references import (
    ALPHABET,
    MAX_ATTEMPTS,
    ReferenceCollision,
    ReferencesExhausted,
    new_booking_reference,
    new_order_id,
    with_retries,
)


def test_the_alphabet_leaves_out_characters_people_confuse() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_references_are_six_upper_case_letters_and_digits_as_the_schema_demands() -> None:
    references = {new_booking_reference() for _ in range(2000)}

    assert all(re.fullmatch(r"[A-Z0-9]{6}", r) for r in references)
    assert all(set(r) <= set(ALPHABET) for r in references)
    assert len(references) == 2000  # 887 million of them: no collision in a few thousand


def test_every_character_of_the_alphabet_is_drawn() -> None:
    rng = random.Random(7)
    drawn = "".join(new_booking_reference(rng.choice) for _ in range(500))

    assert set(drawn) == set(ALPHABET)


def test_order_ids_carry_the_prefix_the_schema_checks() -> None:
    assert new_order_id().startswith("ord_")
    assert new_order_id() != new_order_id()


async def test_a_collision_is_retried_with_a_fresh_reference() -> None:
    taken = {"AAAAAA", "BBBBBB"}
    draws = iter(["AAAAAA", "BBBBBB", "CCCCCC"])

    async def insert(reference: str) -> str:
        if reference in taken:
            raise ReferenceCollision(reference)
        return reference

    assert await with_retries(insert, draw=lambda: next(draws)) == "CCCCCC"


async def test_retries_give_up_after_the_last_attempt() -> None:
    attempts = []

    async def insert(reference: str) -> str:
        attempts.append(reference)
        raise ReferenceCollision(reference)

    with pytest.raises(ReferencesExhausted):
        await with_retries(insert, draw=lambda: "AAAAAA")
    assert len(attempts) == MAX_ATTEMPTS
