"""A partner whose HTTP client sends `Expect: 100-continue` (.NET's HttpClient does on every
POST, curl on large bodies) gets the same `RateLimit-*` headers as one whose client does not:
its key is checked, and its allowance spent, before the body is invited (docs/api.md, Rate
limits: "Every partner response, errors included")."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
from aiohttp import web
from aiohttp.test_utils import TestClient

from skyfare.migrations import migrate
from skyfare.partners import PartnerKeys
from tests.support.database import SETUP_TIMEOUT_S

Client = TestClient[web.Request, web.Application]
RATE_LIMIT = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def _batch() -> dict[str, object]:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    return {"queries": [{"origin": "LHR", "destination": "JFK", "departure_date": day}]}


async def test_a_bulk_batch_sent_with_expect_continue_carries_its_rate_limit_headers(
    client: Client, api_key: str
) -> None:
    response = await client.post(
        "/v1/fares/bulk", json=_batch(), headers={"X-API-Key": api_key}, expect100=True
    )
    await response.read()

    assert response.status == 200
    assert response.headers["RateLimit-Limit"] == "1000"
    assert int(response.headers["RateLimit-Remaining"]) < 1000
    assert "RateLimit-Reset" in response.headers


async def test_a_body_too_large_for_expect_continue_still_says_what_the_key_has_left(
    client: Client, api_key: str
) -> None:
    # Raw: aiohttp's client would send the body it declared whatever the server answers.
    assert client.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(
        b"POST /v1/fares/bulk HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"X-API-Key: " + api_key.encode() + b"\r\nContent-Length: 100000000\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    writer.close()
    await writer.wait_closed()

    assert head.startswith("HTTP/1.1 413 ")
    for name in RATE_LIMIT:
        assert f"\r\n{name}: " in head, name


async def test_a_partner_over_its_limit_with_expect_continue_gets_a_429_with_its_headers(
    client: Client, database_url: str
) -> None:
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        await migrate(pool, timeout=10)
        _, key = await PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S).create(
            f"e2e-{uuid.uuid4().hex[:8]}", rate_per_s=1 / 3600, burst=1
        )
    headers = {"X-API-Key": key}
    first = await client.post("/v1/fares/bulk", json=_batch(), headers=headers)
    await first.read()
    second = await client.post("/v1/fares/bulk", json=_batch(), headers=headers, expect100=True)
    await second.read()

    assert (first.status, second.status) == (200, 429)
    assert second.headers["Retry-After"]
    assert second.headers["RateLimit-Limit"] == "1"
    assert second.headers["RateLimit-Remaining"] == "0"
