"""Profiles and saved travelers over HTTP: the app trusting the sim's token issuer, no airlines."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.settings import Settings
from tests.support.sim import running_sim
from tests.support.tokens import bearer, sign_as_sim, sim_claims, sim_issuer

Client = TestClient[web.Request, web.Application]
Headers = dict[str, str]
Sign = Callable[..., Headers]


@pytest.fixture
async def users_app(settings: Settings) -> AsyncIterator[tuple[Client, Sign]]:
    """The app and `sign(sub, **claims)`: Authorization headers for a token the sim signed."""
    assert settings.database_url is not None
    async with asyncpg.create_pool(settings.database_url, min_size=0, max_size=2) as pool:
        await migrate(pool, timeout=30)
    async with running_sim() as sim:
        configured = msgspec.structs.replace(settings, jwt_issuer=sim_issuer(sim.url))

        def sign(sub: str, **claims: Any) -> Headers:
            return bearer(sign_as_sim(sim_claims(sim.url, sub, **claims)))

        async with TestClient(TestServer(create_app(configured))) as client:
            yield client, sign


@pytest.fixture
def client(users_app: tuple[Client, Sign]) -> Client:
    return users_app[0]


@pytest.fixture
def sign(users_app: tuple[Client, Sign]) -> Sign:
    return users_app[1]


def new_subject(name: str = "ada") -> str:
    """A user of this test only: the database outlives the test, and so do its rows."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def ada(sign: Sign) -> Headers:
    return sign(
        new_subject("ada"), email="ada@example.com", given_name="Ada", family_name="Lovelace"
    )


@pytest.fixture
def bob(sign: Sign) -> Headers:
    return sign(new_subject("bob"))


MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def merge_patch_headers(headers: Headers, **extra: str) -> Headers:
    return {**headers, **MERGE_PATCH, **extra}
