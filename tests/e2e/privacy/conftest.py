"""A traveler's data across users and booking, through HTTP: the booking app (sim airlines,
token issuer and payment gateway)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, booking_app


@pytest.fixture
async def booking_env(settings: Settings) -> AsyncIterator[BookingEnv]:
    async with booking_app(settings) as env:
        yield env


@pytest.fixture
async def ada(booking_env: BookingEnv) -> Headers:
    """A user of this test only: the database outlives the test, and so do its rows."""
    return await booking_env.token(f"usr_ada{uuid.uuid4().hex[:8]}")


@pytest.fixture
async def bob(booking_env: BookingEnv) -> Headers:
    return await booking_env.token(f"usr_bob{uuid.uuid4().hex[:8]}")
