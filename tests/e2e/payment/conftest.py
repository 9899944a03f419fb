"""Payments through HTTP: the app in front of the sim airlines AND the sim gateway, whose webhooks
are delivered to this app (fast settlement and retries, so each test takes well under a second)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from skyfare.settings import Settings
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv, payment_app


@pytest.fixture
async def pay_env(settings: Settings) -> AsyncIterator[PayEnv]:
    async with payment_app(settings) as env:
        yield env


@pytest.fixture
async def alice(pay_env: PayEnv) -> Headers:
    """A traveler of this test only: the database outlives the test, and so do its orders."""
    return await pay_env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
