"""The traveler web app (web/, built by Vite into web/dist) served by the API at `/`.

- Vite names every built asset after its content (`/assets/index-<hash>.js`), so those are kept a
  year (`immutable`) and a new build is new URLs.
- The shell (`index.html`) is `no-cache`: a browser revalidates it on every visit, so a deploy is
  picked up at once; so are the manifest and the service worker (a stale worker would pin the old
  shell).
- The app's own routes (`CLIENT_ROUTES`) all answer the shell: React Router draws the screen from
  the URL. A browser sent to any other address (`/nope`, `/trips/x/y/z`: a typo, an old link) gets
  the shell too, with a `404` status (crawlers and link checkers see a missing page), and the app
  draws its "Page not found" screen (`not_found_page`); a route of the app with trailing
  slashes (`/trips/`, `/trips/ord_x/?tab=1`) is redirected (308) to the route (`/trips`,
  `/trips/ord_x?tab=1`): one address per screen, which React Router draws either way. Only a
  navigation: a `GET` (or `HEAD`) whose `Accept` prefers `text/html` to JSON, outside the paths
  the API owns (`API_SEGMENTS`: `/v1/...`, the operations routes, `/docs`, `/assets/...`).
  Everything else, `curl`'s `*/*` and a client that accepts JSON included, keeps the API's 404
  problem, as API.md says.
- A strict Content-Security-Policy: scripts, styles, images, the manifest and the worker from this
  origin only, no inline script; the identity provider's origin is added to `connect-src` (the
  app exchanges its sign-in code there) and `form-action` (its sign-in page posts there); the
  payment gateway's origin is the only `frame-src` (a card's 3-D Secure page, shown in a dialog of
  the trip page), and its way back is `/bank-return` (skyfare/bank_return.py).
- Without a build (`web/dist/index.html` missing: a test, or a checkout where `make run` has not
  built it yet) the routes answer a short page saying how to build it; the assets are 404s.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import msgspec
from aiohttp import web

from kernel.accept import media_qualities
from kernel.http import add_response_headers, is_json_media_type
from kernel.openapi import Operation, Parameter
from skyfare import bank_return

logger = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# The screens of the app (web/src/app/routes.tsx): each answers the shell.
CLIENT_ROUTES: tuple[str, ...] = (
    "/",
    "/results",
    "/offers/{offer_id}",
    "/book/{offer_id}",
    "/auth/callback",
    "/trips",
    "/trips/{order_id}",
    "/profile",
)
# Files at the root of the build (web/public), at fixed URLs: the manifest and the service worker
# cannot move (the worker's URL is its scope), so they are revalidated rather than immutable.
# The first path segments API.md owns (its routes under /v1 and its operations) and the built
# files': an unknown path below one of them is the API's 404 problem, never the app's page, so
# `/v1/typo` is never a page. tests/e2e/test_web_app.py checks every route is here or the app's.
API_SEGMENTS = frozenset({"v1", "metrics", "healthz", "readyz", "openapi.json", "docs", "assets"})
ROOT_FILES: dict[str, str] = {
    "manifest.webmanifest": "application/manifest+json",
    "sw.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".json": "application/json",
}
_NOT_BUILT = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skyfare</title></head>
<body><main><h1>Skyfare</h1>
<p>The web app is not built. Run <code>make run</code> (it builds it), or <code>make web</code>.</p>
<p>The API is here: <a href="/docs">/docs</a>, <a href="/openapi.json">/openapi.json</a>.</p>
</main></body></html>
"""


SIGN_IN_SCOPE = "openid profile email"


class AuthConfig(msgspec.Struct, frozen=True):
    """What the web app needs to sign a traveler in (OIDC authorization code + PKCE): the
    issuer (its discovery document is `{issuer}/.well-known/openid-configuration`), the app's
    public client id, and the scope to ask for. The redirect URI is `{origin}/auth/callback`."""

    issuer: str
    client_id: str
    scope: str


class Build(NamedTuple):
    shell: bytes  # index.html
    assets: dict[str, bytes]  # web/dist/assets, by file name
    root_files: dict[str, bytes]  # ROOT_FILES that exist


NotFoundPage = Callable[[web.Request], web.Response | None]


def content_security_policy(issuer: str, payment_gateway: str) -> str:
    origin = _origin(issuer)
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {origin}; manifest-src 'self'; worker-src 'self'; "
        f"frame-src {_origin(payment_gateway)}; "
        f"form-action 'self' {origin}; base-uri 'none'; frame-ancestors 'none'"
    )


def load_build(dist: Path) -> Build | None:
    """The built app under `dist`, read once (it is small); None when there is no build."""
    index = dist / "index.html"
    if not index.is_file():
        logger.info("web app: no build at %s; / says how to build it", dist)
        return None
    assets_dir = dist / "assets"
    assets = (
        {p.name: p.read_bytes() for p in assets_dir.iterdir() if p.is_file()}
        if assets_dir.is_dir()
        else {}
    )
    root = {name: (dist / name).read_bytes() for name in ROOT_FILES if (dist / name).is_file()}
    return Build(index.read_bytes(), assets, root)


def add_routes(
    router: web.UrlDispatcher, dist: Path, *, issuer: str, client_id: str, payment_gateway: str
) -> NotFoundPage:
    """The app's routes on `router`; returns the page for unknown addresses (`not_found_page`).
    `payment_gateway`: its base URL, whose origin shows a card's 3-D Secure page in the app."""
    build = load_build(dist)
    csp = content_security_policy(issuer, payment_gateway)
    auth_config = msgspec.json.encode(
        AuthConfig(issuer=issuer.rstrip("/"), client_id=client_id, scope=SIGN_IN_SCOPE)
    )

    async def get_auth_config(request: web.Request) -> web.Response:
        return web.Response(body=auth_config, content_type="application/json")

    shell_body = _NOT_BUILT if build is None else build.shell

    async def shell(request: web.Request) -> web.Response:
        return _shell_response(request, shell_body, csp, 200)

    def not_found_page(request: web.Request) -> web.Response | None:
        if not is_page_navigation(request):
            return None
        response = _redirect_to_page(request) or _shell_response(request, shell_body, csp, 404)
        # The same address answers a JSON client the problem: a cache must keep them apart.
        response.headers["Vary"] = "Accept"
        return response

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = None if build is None else build.assets.get(name)
        if body is None:
            raise web.HTTPNotFound()
        add_response_headers(request, {"Cache-Control": IMMUTABLE})
        return web.Response(body=body, content_type=_content_type(name))

    def root_file(name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            body = None if build is None else build.root_files.get(name)
            if body is None:
                raise web.HTTPNotFound()
            # A service worker runs under its own script's CSP: the API's `default-src 'none'`
            # would block the worker's fetches of the shell it caches.
            add_response_headers(
                request, {"Cache-Control": NO_CACHE, "Content-Security-Policy": csp}
            )
            return web.Response(body=body, content_type=ROOT_FILES[name])

        return handler

    router.add_get("/v1/auth/config", get_auth_config, name="auth_config", allow_head=False)
    for path in CLIENT_ROUTES:
        router.add_get(path, shell)
    router.add_get(bank_return.PATH, bank_return.bank_return, name="web_bank_return")
    router.add_get("/assets/{name}", asset, name="web_asset")
    for name in ROOT_FILES:
        router.add_get(f"/{name}", root_file(name))
    return not_found_page


def _redirect_to_page(request: web.Request) -> web.Response | None:
    """308 to the app's route the request's path names with trailing slashes, its query kept."""
    page = page_without_trailing_slash(request.rel_url.raw_path)
    if page is None:
        return None
    query = request.rel_url.raw_query_string
    return web.Response(status=308, headers={"Location": f"{page}?{query}" if query else page})


def _shell_response(request: web.Request, body: bytes, csp: str, status: int) -> web.Response:
    add_response_headers(request, {"Content-Security-Policy": csp, "Cache-Control": NO_CACHE})
    return web.Response(status=status, body=body, content_type="text/html", charset="utf-8")


def is_page_navigation(request: web.Request) -> bool:
    """A browser opening an address the API does not own: the app's not-found page answers it."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.split("/", 2)[1] in API_SEGMENTS:
        return False
    return prefers_html(request.headers.get("Accept", ""))


def page_without_trailing_slash(raw_path: str) -> str | None:
    """The app's route `raw_path` names with trailing slashes (`/trips/` → `/trips`), else None.

    Only a route of the app: a path starting `//` never matches one (its first segment is
    empty), so the redirect cannot send a browser to another origin (`//evil.example/`)."""
    page = raw_path.rstrip("/")
    if page == raw_path or not page:
        return None
    segments = page.split("/")
    for route in CLIENT_ROUTES:
        wanted = route.split("/")
        if len(wanted) == len(segments) and all(
            w == s or (w.startswith("{") and s) for w, s in zip(wanted, segments, strict=True)
        ):
            return page
    return None


def prefers_html(accept: str) -> bool:
    """`Accept` names `text/html` with a higher q than any JSON type (RFC 9110 12.5.1).

    Wildcards do not count for the page: `*/*` (curl, most HTTP libraries) is an API client's.
    A browser's navigation sends `text/html,...,*/*;q=0.8` and names no JSON type.
    """
    html, json = media_qualities(accept, "text/html", _json)
    return html > json


def _json(media: str) -> bool:
    return media == "application/*" or is_json_media_type(media)


def _content_type(name: str) -> str:
    return _TYPES.get(Path(name).suffix, "application/octet-stream")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _page_id(path: str) -> str:
    """`/trips/{order_id}` → `web_trips_order_id`: unique per path."""
    words = path.strip("/").replace("{", "").replace("}", "").replace("/", "_").replace("-", "_")
    return f"web_{words or 'home'}"


def _page(path: str, summary: str) -> Operation:
    parameters = tuple(
        Parameter(segment[1:-1], "path", "Any value: the app reads it", required=True)
        for segment in path.split("/")
        if segment.startswith("{")
    )
    return Operation(
        "get", path, _page_id(path),
        summary, "web", response_media=("text/html",), parameters=parameters,
    )  # fmt: skip


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/v1/auth/config", "auth_config",
        "Where the web app signs travelers in: the OIDC issuer, its client id and scope",
        "web", response=AuthConfig,
    ),
    _page("/", "The web app: search (its shell; the app draws each screen from the URL)"),
    _page("/results", "The web app: search results (the shell)"),
    _page("/offers/{offer_id}", "The web app: an offer's details (the shell)"),
    _page("/auth/callback", "The web app: where the identity provider returns (the shell)"),
    _page("/book/{offer_id}", "The web app: passengers, then hold or pay (the shell)"),
    _page("/trips", "The web app: my trips (the shell)"),
    _page("/trips/{order_id}", "The web app: one trip (the shell)"),
    _page("/profile", "The web app: profile, saved travelers, export and erasure (the shell)"),
    bank_return.OPERATION,
    Operation(
        "get", "/assets/{name}", "web_asset",
        "A file of the web app (content-hashed names, cached as immutable)", "web",
        response_media=("text/javascript", "text/css", "image/svg+xml"),
        parameters=(Parameter("name", "path", "A built file's name", required=True),),
        errors={404: "No such file"},
    ),
    *(
        Operation(
            "get", f"/{name}", "web_" + name.replace(".", "_"),
            f"The web app's {name} (revalidated on every use)", "web",
            response_media=(media,), errors={404: "The web app is not built"},
        )
        for name, media in ROOT_FILES.items()
    ),
)  # fmt: skip
