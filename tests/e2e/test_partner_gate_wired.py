"""The composition root wires the partner gate: a route behind it sees 401, RateLimit-*, 429."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.keys import PARTNER_GATE
from skyfare.migrations import migrate
from skyfare.partners import PartnerKeys
from skyfare.settings import Settings
from tests.support.database import SETUP_TIMEOUT_S


async def _partner_only(request: web.Request) -> web.Response:
    partner = await request.config_dict[PARTNER_GATE](request)
    return web.json_response({"partner": partner.name})


async def test_the_app_gates_partner_routes(settings: Settings, database_url: str) -> None:
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        await migrate(pool, timeout=10)
        _, raw_key = await PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S).create(
            f"wired-{uuid.uuid4().hex[:8]}",
            rate_per_s=1 / 3600,
            burst=1,  # no refill during the test
        )
    app = create_app(settings)
    app.router.add_get("/partner-only", _partner_only, name="partner_only")
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/partner-only")).status == 401
        ok = await client.get("/partner-only", headers={"X-API-Key": raw_key})
        assert ok.status == 200
        assert ok.headers["RateLimit-Remaining"] == "0"
        denied = await client.get("/partner-only", headers={"X-API-Key": raw_key})
        assert denied.status == 429
        assert "Retry-After" in denied.headers
        # The limit as the partner's contract states it, not 0.000277778 requests/s.
        problem = await denied.json(content_type="application/problem+json")
        assert problem["detail"] == "rate limit of 1 request/h (bursts of 1) exceeded"
        assert "RateLimit-Limit" not in (await client.get("/healthz")).headers
