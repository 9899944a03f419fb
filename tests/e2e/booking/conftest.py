"""Orders through HTTP: the app in front of the sim airlines, with tokens from the sim's issuer."""

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
def alice_sub() -> str:
    """A traveler of this test only: the database outlives the test, and so do its orders."""
    return f"alice-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def alice(booking_env: BookingEnv, alice_sub: str) -> Headers:
    return await booking_env.token(alice_sub)
