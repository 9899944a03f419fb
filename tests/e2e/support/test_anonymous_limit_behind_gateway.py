"""Anonymous case openings behind the gateway: limited per client, not per gateway.

Every request reaches the app from the gateway's address; keyed on it, one client spending the
anonymous burst would shut every traveler out. With the gateway trusted
(SKYFARE_TRUSTED_PROXIES) the limit keys on the client it names in X-Forwarded-For.
"""

from __future__ import annotations

import msgspec
import pytest

from skyfare.settings import Settings
from tests.e2e.support.conftest import SupportEnv

WRONG_PAIR = {
    "booking_reference": "ZZZZZ9",
    "family_name": "Nobody",
    "subject": "Q",
    "message": "?",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test client connects from 127.0.0.1: that is the gateway here."""
    return msgspec.structs.replace(settings, trusted_proxies="127.0.0.1/32")


async def _statuses(env: SupportEnv, forwarded_for: str, times: int) -> list[int]:
    statuses = []
    for _ in range(times):
        response = await env.client.post(
            "/v1/support/cases", json=WRONG_PAIR, headers={"X-Forwarded-For": forwarded_for}
        )
        statuses.append(response.status)
    return statuses


async def test_one_client_spending_its_burst_leaves_the_others_theirs(
    support_env: SupportEnv,
) -> None:
    # A burst of 3 per address in this suite (conftest): the fourth is limited.
    assert await _statuses(support_env, "203.0.113.7", 4) == [404, 404, 404, 429]
    assert await _statuses(support_env, "198.51.100.9", 1) == [404]


async def test_a_client_cannot_pose_as_another_by_writing_the_header_itself(
    support_env: SupportEnv,
) -> None:
    assert await _statuses(support_env, "203.0.113.7", 4) == [404, 404, 404, 429]
    # It sent "X-Forwarded-For: 198.51.100.9"; the gateway appended the address it saw.
    assert await _statuses(support_env, "198.51.100.9, 203.0.113.7", 1) == [429]
