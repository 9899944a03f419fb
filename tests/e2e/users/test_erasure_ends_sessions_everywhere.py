"""After `DELETE /v1/me` on one API process, a token signed in before it is refused on another
process sharing PostgreSQL and Redis — on every route, reads included — within the cutoff's
delivery (skyfare/auth/cutoffs.py), far inside its cache TTL; a sign-in after it is served."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from kernel.auth import CLOCK_LEEWAY_S
from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.settings import Settings
from tests.e2e.users.conftest import Client, Sign, new_subject
from tests.e2e.users.test_erasure_signs_other_sessions_out import assert_erased_refusal
from tests.support.notify import eventually
from tests.support.sim import running_sim
from tests.support.tokens import bearer, sign_as_sim, sim_claims, sim_issuer

# Far beyond the stream's delivery, far below the TTL: the refusal cannot come from the TTL.
CACHE_TTL_S = 300.0
READS = ("/v1/orders", "/v1/me/travelers", "/v1/me/export")


@pytest.fixture
async def two_processes(settings: Settings) -> AsyncIterator[tuple[Client, Client, Sign]]:
    assert settings.database_url is not None
    async with asyncpg.create_pool(settings.database_url, min_size=0, max_size=2) as pool:
        await migrate(pool, timeout=30)
    async with running_sim() as sim:
        configured = msgspec.structs.replace(
            settings, jwt_issuer=sim_issuer(sim.url), session_cutoff_cache_s=CACHE_TTL_S
        )

        def sign(sub: str, **claims: Any) -> dict[str, str]:
            return bearer(sign_as_sim(sim_claims(sim.url, sub, **claims)))

        async with (
            TestClient(TestServer(create_app(configured))) as here,
            TestClient(TestServer(create_app(configured))) as there,
        ):
            yield here, there, sign


async def test_an_erasure_on_one_process_signs_the_account_out_on_another(
    two_processes: tuple[Client, Client, Sign],
) -> None:
    here, there, sign = two_processes
    subject = new_subject()
    other_device = sign(subject, auth_time=int(time.time()) - 120)
    for path in READS:  # read on the other process: it remembers "no cutoff" for the subject
        response = await there.get(path, headers=other_device)
        assert response.status == 200, await response.text()

    erased = await here.delete("/v1/me", headers=sign(subject))
    assert erased.status == 200, await erased.text()

    async def refused_there() -> bool:
        return (await there.get("/v1/orders", headers=other_device)).status == 401

    await eventually(refused_there)
    for path in READS:
        await assert_erased_refusal(await there.get(path, headers=other_device))
    # A sign-in after the erasure (past the clock-skew leeway) is served on both.
    signed_in_again = sign(subject, auth_time=int(time.time() + CLOCK_LEEWAY_S) + 1)
    for client in (here, there):
        response = await client.get("/v1/orders", headers=signed_in_again)
        assert response.status == 200, await response.text()
