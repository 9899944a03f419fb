"""Authentication before every other check, on every authenticated route (docs/api.md "Orders").

An anonymous or badly authenticated request learns nothing about its own validity: whatever else
is wrong with it (no Idempotency-Key, malformed or too deep JSON, the wrong media type, a body over
the limit, an id that cannot exist, a bad query), the answer is the 401 and its challenge.

Every bad credential here is refused before the identity provider would be asked for a key, so the
app needs no sim: a missing token, another scheme, a token that is no JWT, `alg: none`, HS256.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, NamedTuple

import asyncpg
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from skyfare.keys import OPENAPI_DOCUMENT
from skyfare.migrations import migrate
from tests.e2e.conftest import MAX_BODY_BYTES

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"
API_KEY_CHALLENGE = 'ApiKey header="X-API-Key"'


class Bad(NamedTuple):
    """A request wrong in one way besides its credentials."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


JSON = {"Content-Type": "application/json"}
KEY_NAME = "Idempotency-Key"
KEY = {KEY_NAME: "k-1"}
DEEP = b"[" * 5000 + b"]" * 5000
TOO_BIG = b'{"x": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
ORDER = json.dumps({"offer_id": "off_unknown", "passengers": [{"type": "adult"}]}).encode()


def _body_cases(path: str, *, keyed: bool) -> list[Bad]:
    key = KEY if keyed else {}
    cases = [
        Bad("malformed-json", "POST", path, {**JSON, **key}, b"{not json"),
        Bad("not-an-object", "POST", path, {**JSON, **key}, b"[]"),
        Bad("deep-json", "POST", path, {**JSON, **key}, DEEP),
        Bad("wrong-media-type", "POST", path, {"Content-Type": "text/plain", **key}, b"{}"),
        Bad("too-big", "POST", path, {**JSON, **key}, TOO_BIG),
        Bad("invalid", "POST", path, {**JSON, **key}, b'{"unknown": 1}'),
        Bad("nul-in-a-string", "POST", path, {**JSON, **key}, b'{"x": "\\u0000"}'),
    ]
    if keyed:
        cases.append(Bad("no-idempotency-key", "POST", path, JSON, ORDER))
        cases.append(Bad("bad-idempotency-key", "POST", path, {**JSON, KEY_NAME: ""}, ORDER))
    return cases


_ORDER_ID = "ord_" + "0" * 24

TRAVELER_CASES: list[Bad] = [
    *_body_cases("/v1/orders", keyed=True),
    Bad("unknown-offer", "POST", "/v1/orders", {**JSON, **KEY}, ORDER),
    Bad("fine", "GET", "/v1/orders", {}),
    Bad("bad-limit", "GET", "/v1/orders?limit=500", {}),
    Bad("non-ascii-limit", "GET", "/v1/orders?limit=%C2%B2", {}),
    Bad("repeated-limit", "GET", "/v1/orders?limit=5&limit=7", {}),
    Bad("unknown-parameter", "GET", "/v1/orders?colour=red", {}),
    Bad("bad-cursor", "GET", "/v1/orders?after=nonsense", {}),
    Bad("unknown-order", "GET", f"/v1/orders/{_ORDER_ID}", {}),
    Bad("nul-in-id", "GET", "/v1/orders/ord_%00", {}),
    Bad("impossible-id", "GET", "/v1/orders/x", {}),
    Bad("unknown-order", "POST", f"/v1/orders/{_ORDER_ID}/cancel", {}),
    Bad("nul-in-id", "POST", "/v1/orders/ord_%00/cancel", {}),
    Bad("body-on-cancel", "POST", f"/v1/orders/{_ORDER_ID}/cancel", JSON, b"{not json"),
    *_body_cases(f"/v1/orders/{_ORDER_ID}/payments", keyed=True),
    Bad("nul-in-id", "POST", "/v1/orders/ord_%00/payments", {**JSON, **KEY}, b"{}"),
]

PARTNER_CASES: list[Bad] = [
    *_body_cases("/v1/fares/bulk", keyed=False),
    Bad("fine", "GET", "/v1/fares/calendar?origin=LHR&destination=JFK&month=2030-01", {}),
    Bad("missing-parameters", "GET", "/v1/fares/calendar", {}),
    Bad("repeated-parameter", "GET", "/v1/fares/calendar?origin=LHR&origin=JFK", {}),
    Bad("non-ascii-digit", "GET", "/v1/fares/calendar?adults=%C2%B2", {}),
]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


_CLAIMS = {"sub": "mallory", "roles": ["support"], "aud": "skyfare", "exp": 9_999_999_999}
BAD_BEARER: dict[str, dict[str, str]] = {
    "no-token": {},
    "basic-scheme": {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    "not-a-jwt": {"Authorization": "Bearer not-a-jwt"},
    "empty-token": {"Authorization": "Bearer "},
    "alg-none": {
        "Authorization": f"Bearer {_b64({'alg': 'none', 'kid': 'sim-42-1'})}.{_b64(_CLAIMS)}."
    },
    "hs256": {
        "Authorization": "Bearer "
        + jwt.encode(
            _CLAIMS,
            "the issuer public key used as an HMAC secret",
            "HS256",
            headers={"kid": "sim-42-1"},
        )
    },
}
BAD_API_KEY: dict[str, dict[str, str]] = {
    "no-key": {},
    "unknown-key": {"X-API-Key": "sk_live_" + "x" * 32},
    "not-a-key": {"X-API-Key": "hunter2"},
}


@pytest.fixture(autouse=True)
async def _migrated(database_url: str) -> None:
    """An unknown partner key is looked up, so the partners table must exist."""
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        await migrate(pool, timeout=30)


def _id(bad: Bad) -> str:
    return f"{bad.method} {bad.path.split('?')[0]} {bad.name}"


async def _send(client: Client, bad: Bad, credentials: dict[str, str]) -> Any:
    headers = {**bad.headers, **credentials}
    response = await client.request(bad.method, bad.path, headers=headers, data=bad.body)
    body = await response.read()
    return response, body


@pytest.mark.parametrize("credentials", BAD_BEARER.values(), ids=BAD_BEARER.keys())
@pytest.mark.parametrize("bad", TRAVELER_CASES, ids=map(_id, TRAVELER_CASES))
async def test_a_traveler_route_answers_401_before_any_other_check(
    client: Client, bad: Bad, credentials: dict[str, str]
) -> None:
    response, body = await _send(client, bad, credentials)

    assert response.status == 401, body
    assert response.content_type == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="skyfare"')
    assert json.loads(body)["type"] == "https://skyfare.dev/problems/unauthorized"


@pytest.mark.parametrize("credentials", BAD_API_KEY.values(), ids=BAD_API_KEY.keys())
@pytest.mark.parametrize("bad", PARTNER_CASES, ids=map(_id, PARTNER_CASES))
async def test_a_partner_route_answers_401_before_any_other_check(
    client: Client, bad: Bad, credentials: dict[str, str]
) -> None:
    response, body = await _send(client, bad, credentials)

    assert response.status == 401, body
    assert response.content_type == PROBLEM
    assert response.headers["WWW-Authenticate"] == API_KEY_CHALLENGE


async def test_unknown_paths_and_methods_stay_404_and_405_without_credentials(
    client: Client,
) -> None:
    # The router's answers describe the API's public surface (/openapi.json), not the request.
    unknown = await client.get("/v1/orders/ord_1/nowhere")
    wrong_method = await client.delete("/v1/orders")

    assert unknown.status == 404
    assert wrong_method.status == 405


RAW_CREDENTIALS = {
    "api-key": (b"GET /v1/fares/calendar", b"X-API-Key: sk_live_\xff\xfe" + b"x" * 30),
    "bearer": (b"GET /v1/orders", b"Authorization: Bearer \xff\xfe.e30.c2ln"),
}


@pytest.mark.parametrize(("request_line", "header"), RAW_CREDENTIALS.values(), ids=RAW_CREDENTIALS)
async def test_a_credential_that_is_not_utf8_is_a_401(
    client: Client, request_line: bytes, header: bytes
) -> None:
    # aiohttp hands such header bytes over as lone surrogates, which no encode() survives.
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(
            request_line + b" HTTP/1.1\r\nHost: x\r\n" + header + b"\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()

    assert answer.startswith(b"HTTP/1.1 401 "), answer[:300]


def test_every_route_is_documented_and_every_traveler_or_partner_route_declares_security(
    app: web.Application,
) -> None:
    # The plumbing guards what the OpenAPI document declares: an API route missing from the
    # document could not declare that it needs a token, so none may be missing.
    document = json.loads(app[OPENAPI_DOCUMENT])
    documented = {
        (method.upper(), path): entry.get("security")
        for path, item in document["paths"].items()
        for method, entry in item.items()
    }
    api_routes = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/v1/")
        and route.method not in ("HEAD", "OPTIONS")  # HTTP's own methods, not operations
        # Any method: no operation, a 404 for what is no resource (an unknown report's name).
        and route.method != "*"
    }

    assert api_routes <= set(documented)
    for (method, path), security in documented.items():
        if path.startswith("/v1/orders"):
            assert security == [{"bearer": []}], (method, path)
        elif path.startswith("/v1/fares/"):
            assert security == [{"api_key": []}], (method, path)


@pytest.mark.parametrize("path", ["/v1/orders", "/v1/fares/bulk"])
async def test_an_anonymous_oversized_body_announced_with_expect_is_a_401_not_a_413(
    client: Client, path: str
) -> None:
    # The body is never sent: whoever answers the Expect must not judge it before the caller.
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {MAX_BODY_BYTES * 100}\r\nExpect: 100-continue\r\n"
            "Idempotency-Key: k-1\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        if answer.startswith(b"HTTP/1.1 100 "):
            answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    finally:
        writer.close()

    assert answer.startswith(b"HTTP/1.1 401 "), answer
