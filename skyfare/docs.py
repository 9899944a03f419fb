"""`/docs`: Swagger UI over `/openapi.json`, its files served by the API from a Python package.

No CDN: the page renders on a machine without internet, runs exactly the Swagger UI that
`swagger-ui-py` installed (5.x, which reads OpenAPI 3.1) rather than whatever a floating major
on a CDN serves today, and its Content-Security-Policy allows this origin only: no inline
script, no third party. Asset URLs carry a digest of their content, so browsers keep them a year
(`immutable`) and an upgrade is a new URL.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import NamedTuple

from aiohttp import web

from kernel.http import add_response_headers

ASSETS_PATH = "/docs/assets"
# Only this origin: Swagger UI fetches /openapi.json (and "try it out" calls the API) from here;
# its icons are data: URIs in its own stylesheet.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"

# Ours: the page's own script, a file because the CSP allows no inline script.
_INIT_JS = b""""use strict";
window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
"""
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skyfare API</title>
<link rel="icon" type="image/png" href="{favicon_png}">
<link rel="stylesheet" href="{swagger_ui_css}">
</head>
<body>
<div id="swagger-ui"></div>
<noscript><p>The API contract is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1);
this page renders it with JavaScript.</p></noscript>
<script src="{swagger_ui_bundle_js}"></script>
<script src="{init_js}"></script>
</body>
</html>
"""


class Asset(NamedTuple):
    name: str  # the file's name with a digest of its content: `swagger-ui.<digest>.css`
    body: bytes
    content_type: str


def load_assets() -> dict[str, Asset]:
    """Swagger UI's files and ours, by their plain names."""
    dist = resources.files("swagger_ui").joinpath("static")
    files = {
        "swagger-ui.css": (dist.joinpath("swagger-ui.css").read_bytes(), "text/css"),
        "swagger-ui-bundle.js": (
            dist.joinpath("swagger-ui-bundle.js").read_bytes(),
            "text/javascript",
        ),
        "favicon.png": (dist.joinpath("favicon-32x32.png").read_bytes(), "image/png"),
        "init.js": (_INIT_JS, "text/javascript"),
    }
    return {name: Asset(_versioned(name, body), body, kind) for name, (body, kind) in files.items()}


def page(assets: dict[str, Asset]) -> bytes:
    """The HTML, pointing at the assets' versioned names."""
    urls = {
        name.replace(".", "_").replace("-", "_"): f"{ASSETS_PATH}/{a.name}"
        for name, a in assets.items()
    }
    return _PAGE.format(**urls).encode()


def add_routes(router: web.UrlDispatcher) -> None:
    assets = load_assets()
    html = page(assets)
    by_name = {asset.name: asset for asset in assets.values()}

    async def docs(request: web.Request) -> web.Response:
        add_response_headers(request, {"Content-Security-Policy": CSP})
        return web.Response(body=html, content_type="text/html", charset="utf-8")

    async def asset(request: web.Request) -> web.Response:
        found = by_name.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        add_response_headers(request, {"Cache-Control": IMMUTABLE})
        return web.Response(body=found.body, content_type=found.content_type)

    router.add_get("/docs", docs, name="docs")
    router.add_get(ASSETS_PATH + "/{name}", asset, name="docs_asset")


def _versioned(name: str, body: bytes) -> str:
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}.{suffix}"
