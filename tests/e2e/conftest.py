"""The whole app over HTTP: `create_app` on a real socket (aiohttp TestServer), real PG/Redis."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings, load_settings

MAX_BODY_BYTES = 4096


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        max_body_bytes=MAX_BODY_BYTES,
        connectors=(),
    )


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(app: web.Application) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(app)) as client:
        yield client


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
