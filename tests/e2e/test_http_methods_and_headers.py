"""HEAD, OPTIONS and the security headers, on every route, through the whole app over HTTP."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

Client = TestClient[web.Request, web.Application]
PROBLEM = "application/problem+json"


def _get_paths(app: web.Application) -> list[str]:
    """Every GET route's path, its `{parameters}` filled with a plausible id."""
    paths = []
    for resource in app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter")
        if path and any(route.method == "GET" for route in resource):
            paths.append(re.sub(r"{[^}]+}", "x_1", path))
    return sorted(set(paths))


async def test_head_answers_like_get_on_every_get_route(client: Client) -> None:
    paths = _get_paths(client.app)
    assert {"/v1/search", "/v1/orders", "/v1/orders/x_1", "/docs", "/healthz"} <= set(paths)
    for path in paths:
        get = await client.get(path)
        head = await client.head(path)
        assert head.status == get.status, path
        assert head.headers.get("Content-Type") == get.headers.get("Content-Type"), path
        assert await head.read() == b"", path


async def test_head_carries_gets_content_length(client: Client) -> None:
    get = await client.get("/healthz")
    head = await client.head("/healthz")
    assert head.headers["Content-Length"] == str(len(await get.read()))


async def test_options_lists_the_methods_of_the_path_and_grants_no_cors(client: Client) -> None:
    response = await client.options(
        "/v1/search",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status == 204
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]
    assert await response.read() == b""


async def test_options_on_a_path_that_does_not_exist_is_a_404(client: Client) -> None:
    response = await client.options("/nowhere")
    assert response.status == 404
    assert response.content_type == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/nowhere"),
        ("PUT", "/v1/search"),
        ("POST", "/v1/search"),
        ("GET", "/v1/orders"),
        ("OPTIONS", "/v1/orders"),
        ("HEAD", "/v1/search"),
    ],
)
async def test_every_answer_carries_the_security_headers(
    client: Client, method: str, path: str
) -> None:
    response = await client.request(method, path, headers={"Content-Type": "application/json"})
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Server"] == "skyfare"  # no aiohttp or Python version


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
async def test_a_post_only_route_never_offers_head(client: Client, method: str) -> None:
    # HEAD is GET without a body: a route without GET has no HEAD, so its `Allow` must not
    # list HEAD (a 405 to HEAD that says HEAD is allowed contradicts itself, RFC 9110 §15.5.6).
    response = await client.request(method, "/v1/payments/webhook")
    assert response.status == (204 if method == "OPTIONS" else 405)
    assert response.headers["Allow"] == "OPTIONS, POST"


async def test_the_405_and_options_spell_allow_alike(client: Client) -> None:
    options = await client.options("/v1/search")
    refused = await client.delete("/v1/search")
    assert refused.status == 405
    assert refused.content_type == PROBLEM
    assert refused.headers["Allow"] == options.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
