"""`/docs` renders from assets the API serves itself: no CDN, pinned, cached, under a strict CSP."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient

Client = TestClient[web.Request, web.Application]


async def test_the_docs_page_loads_nothing_from_another_origin(client: Client) -> None:
    response = await client.get("/docs")
    html = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows none


async def test_every_docs_asset_is_served_with_a_long_immutable_cache(client: Client) -> None:
    html = await (await client.get("/docs")).text()
    assets = re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = await client.get(asset)
        assert response.status == 200, asset
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert len(await response.read()) > 0


async def test_the_bundle_is_swagger_ui_5_which_reads_openapi_3_1(client: Client) -> None:
    html = await (await client.get("/docs")).text()
    (bundle,) = re.findall(r'src="(/docs/assets/swagger-ui-bundle\.[^"]+)"', html)
    body = await (await client.get(bundle)).text()
    assert re.search(r'PACKAGE_VERSION:"5\.\d+\.\d+"', body)


async def test_an_unknown_docs_asset_is_a_404_problem(client: Client) -> None:
    response = await client.get("/docs/assets/swagger-ui-bundle.js")  # unversioned: not served
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_the_docs_page_gets_a_csp_that_allows_only_this_origin(client: Client) -> None:
    response = await client.get("/docs")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in csp
    assert "http" not in csp
