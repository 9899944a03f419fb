"""Booking references (`K7Q2MZ`) and order ids.

A booking reference is read over the phone and typed from a screenshot, so its alphabet leaves out
the characters people confuse: 0/O, 1/I/L. 31 characters, 6 places: about 887 million
references; they are random (not sequential, so they reveal no order volume) and unique by the
`orders.booking_reference` constraint: a collision is retried with a fresh one (`with_retries`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from booking.model import ORDER_ID_PREFIX

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
# With a million orders stored a fresh reference collides with probability ~1/887; five tries
# in a row all colliding is ~1e-15: if that happens, something else is wrong.
MAX_ATTEMPTS = 5

T = TypeVar("T")


class ReferenceCollision(Exception):
    """The reference just drawn is taken: raised by the insert, caught by `with_retries`."""


class ReferencesExhausted(RuntimeError):
    """Every attempt collided (see MAX_ATTEMPTS)."""


def new_booking_reference(choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(ALPHABET) for _ in range(LENGTH))


def new_order_id() -> str:
    # 96 random bits: unguessable, so an id is no handle on someone else's order either.
    return ORDER_ID_PREFIX + secrets.token_hex(12)


async def with_retries(
    insert: Callable[[str], Awaitable[T]],
    *,
    draw: Callable[[], str] = new_booking_reference,
    attempts: int = MAX_ATTEMPTS,
) -> T:
    """Call `insert(reference)` with fresh references until it does not raise ReferenceCollision."""
    for _ in range(attempts):
        try:
            return await insert(draw())
        except ReferenceCollision:
            continue
    raise ReferencesExhausted(f"{attempts} booking references in a row were taken")
