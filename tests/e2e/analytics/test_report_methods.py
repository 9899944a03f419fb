"""The report route's methods and names as the API contract says (docs/api.md, "Reports"; the
general rules): an unknown report is a 404 problem whatever the method, a known one answers
GET and HEAD (the analyst's), OPTIONS (204 with `Allow`) and refuses the rest (405 with `Allow`),
in the `all` app and in `skyfare analytics`'s."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from analytics.store import AnalyticsStore
from skyfare.app import create_app
from skyfare.services import ALL, ANALYTICS
from skyfare.settings import Settings
from tests.support.booking import trusting_sim
from tests.support.sim import running_sim
from tests.support.tokens import bearer, mint_token

PROBLEM = "application/problem+json"
ALLOW = "GET, HEAD, OPTIONS"


class Env(msgspec.Struct):
    client: TestClient
    analyst: dict[str, str]


@pytest.fixture(params=[ALL, ANALYTICS])
async def env(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> AsyncIterator[Env]:
    AnalyticsStore(str(tmp_path)).close()  # the consumer's store, empty so far
    async with running_sim() as sim:
        served = msgspec.structs.replace(
            trusting_sim(settings, sim),
            analytics_dir=str(tmp_path),
            usage_stream=f"test:{uuid.uuid4().hex}:usage",
            event_stream=f"test:{uuid.uuid4().hex}:events",
        )
        analyst = bearer(await mint_token(sim.url, "ana", roles=["analyst"]))
        async with TestClient(TestServer(create_app(served, request.param))) as client:
            yield Env(client, analyst)


@pytest.mark.parametrize(
    ("method", "signed_in"),
    [
        ("GET", True),
        ("HEAD", True),
        ("OPTIONS", False),
        ("OPTIONS", True),
        ("POST", True),
        ("DELETE", False),
    ],
)
async def test_an_unknown_report_is_a_404_whatever_the_method(
    env: Env, method: str, signed_in: bool
) -> None:
    headers = env.analyst if signed_in else {}

    async with env.client.request(method, "/v1/reports/nope", headers=headers) as response:
        body = await response.read()

    assert response.status == 404, body
    assert response.content_type == PROBLEM
    assert "Allow" not in response.headers
    if method != "HEAD":
        doc = msgspec.json.decode(body)
        assert doc["type"].endswith("/not-found")
        assert "funnel" in doc["detail"]  # the names it knows
    else:
        assert body == b""


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_reading_a_report_wants_a_token_first_whatever_the_name(
    env: Env, method: str
) -> None:
    # As every read that takes a token: an anonymous caller learns nothing of the name.
    for name in ("funnel", "nope"):
        async with env.client.request(method, f"/v1/reports/{name}") as response:
            assert response.status == 401
            assert "Bearer" in response.headers["WWW-Authenticate"]


async def test_a_known_report_answers_head_as_get_without_the_body(env: Env) -> None:
    get = await env.client.get("/v1/reports/funnel", headers=env.analyst)
    head = await env.client.head("/v1/reports/funnel", headers=env.analyst)

    assert (get.status, head.status) == (200, 200)
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["Cache-Control"] == "private"
    assert await head.read() == b""


async def test_a_known_report_lists_its_methods(env: Env) -> None:
    options = await env.client.options("/v1/reports/funnel")
    refused = await env.client.post("/v1/reports/funnel", headers=env.analyst)

    assert options.status == 204
    assert options.headers["Allow"] == ALLOW
    assert refused.status == 405
    assert refused.headers["Allow"] == ALLOW
    assert (await refused.json(content_type=PROBLEM))["type"].endswith("/method-not-allowed")
