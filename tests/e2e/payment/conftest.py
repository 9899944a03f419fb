"""Payments through HTTP: the app in front of the sim airlines AND the sim gateway, whose webhooks
are delivered to this app (fast settlement and retries, so each test takes well under a second)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from payment import routes as payment_routes
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


@pytest.fixture
async def sweeps_only_this_test(pay_env: PayEnv) -> None:
    """For a test that counts what a round of the change sweeper settles: the changes earlier
    tests left `confirming` on this worker's database are claimed for good, out of the round's
    reach. A change waiting at a traveler's bank stays `confirming` (SKYFARE_CHANGE_BANK_WAIT_S),
    and its test's airlines went with its test: a later round asked them again, was refused and
    counted it. (Each worker has its own database and runs its tests one at a time.)"""
    await pay_env.pool.execute(
        "UPDATE order_changes SET claimed_until = 'infinity' WHERE status = 'confirming'"
    )


@pytest.fixture
def change_webhooks_unheard(pay_env: PayEnv) -> None:
    """For a test of what a change's own request or the change sweeper makes of its settled
    charge: the gateway's webhooks for a change's charge are acknowledged and not acted on (as
    when no change context runs: payment/receiver.py `changes`), so none settles it first."""
    pay_env.client.app[payment_routes.WEBHOOK_RECEIVER].changes = None
