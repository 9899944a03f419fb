"""The API serves the web app's build at / (skyfare/webapp.py), and the airports type-ahead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from skyfare import bank_return, webapp
from skyfare.app import create_app
from skyfare.metrics import UNMATCHED
from skyfare.settings import Settings

Client = TestClient  # type: ignore[type-arg]

# What Chromium sends when the traveler types an address.
NAVIGATION = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
}
SHELL = b'<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A build as Vite lays it out: the shell, hashed assets, the public files."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(SHELL)
    (tmp_path / "assets" / "index-abc123.js").write_bytes(b"console.log(1)")
    (tmp_path / "assets" / "index-def456.css").write_bytes(b"body{}")
    (tmp_path / "manifest.webmanifest").write_bytes(b'{"name": "Skyfare"}')
    (tmp_path / "sw.js").write_bytes(b"self.addEventListener('fetch', () => {})")
    return tmp_path


async def _client(settings: Settings, dist: Path) -> AsyncIterator[Client]:
    app = create_app(msgspec.structs.replace(settings, web_dist=str(dist)))
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def web_client(settings: Settings, dist: Path) -> AsyncIterator[Client]:
    async for client in _client(settings, dist):
        yield client


@pytest.fixture
async def unbuilt_client(settings: Settings, tmp_path: Path) -> AsyncIterator[Client]:
    async for client in _client(settings, tmp_path / "missing"):
        yield client


@pytest.mark.parametrize(
    "path", ["/", "/results?leg=LHR.JFK.2026-12-20", "/offers/off_x", "/trips"]
)
async def test_every_screen_of_the_app_answers_the_shell_revalidated(
    web_client: Client, path: str
) -> None:
    response = await web_client.get(path)

    assert response.status == 200
    assert await response.read() == SHELL
    assert response.content_type == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"


async def test_the_shell_has_a_strict_content_security_policy(web_client: Client) -> None:
    response = await web_client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))

    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    # The app exchanges its sign-in code at the identity provider (the sim's, by default).
    assert directives["connect-src"].split() == ["'self'", "http://127.0.0.1:9100"]
    # A card's 3-D Secure page shows in a dialog of the trip page: the payment gateway's origin
    # (the sim's, by default) and no other may be framed.
    assert directives["frame-src"] == "http://127.0.0.1:9100"


ORDER = "ord_0123456789abcdef01234567"


async def test_the_banks_way_back_in_the_apps_frame_is_a_page_of_words_not_the_app(
    web_client: Client,
) -> None:
    # The sim's challenge page sends its frame here with the intent's id added.
    path = f"/bank-return?order={ORDER}&payment_intent=pi_1"
    for framed in ({"Sec-Fetch-Dest": "iframe"}, {}):  # no Sec-Fetch-Dest: an older browser
        response = await web_client.get(path, headers={**NAVIGATION, **framed})
        html = await response.text()

        assert response.status == 200
        assert response.content_type == "text/html"
        assert html != SHELL.decode()
        assert "You can close this window" in html
        assert f'<a href="/trips/{ORDER}" target="_top">See your trip</a>' in html
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in csp
        assert "script-src" not in csp
        assert response.headers["Cache-Control"] == "no-store"


async def test_the_banks_way_back_as_the_window_itself_goes_on_to_the_trip(
    web_client: Client,
) -> None:
    # The fallback: the app navigated to the bank's page, which sends the window back.
    response = await web_client.get(
        f"/bank-return?order={ORDER}&payment_intent=pi_1",
        headers={**NAVIGATION, "Sec-Fetch-Dest": "document"},
        allow_redirects=False,
    )

    assert response.status == 303
    assert response.headers["Location"] == f"/trips/{ORDER}"


@pytest.mark.parametrize("order", ["https://evil.example/", "//evil.example", "", "ord_x"])
async def test_the_banks_way_back_links_only_to_a_trip_of_ours(
    web_client: Client, order: str
) -> None:
    response = await web_client.get(
        "/bank-return",
        params={"order": order},
        headers={"Sec-Fetch-Dest": "document"},
        allow_redirects=False,
    )

    assert response.headers["Location"] == "/trips"


async def test_hashed_assets_are_immutable_with_their_media_type(web_client: Client) -> None:
    script = await web_client.get("/assets/index-abc123.js")
    style = await web_client.get("/assets/index-def456.css")

    assert script.status == 200
    assert await script.read() == b"console.log(1)"
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script.content_type == "text/javascript"
    assert style.content_type == "text/css"


async def test_an_unknown_asset_is_a_404_problem(web_client: Client) -> None:
    response = await web_client.get("/assets/index-000000.js")

    assert response.status == 404
    assert response.content_type == "application/problem+json"
    assert "immutable" not in response.headers["Cache-Control"]


async def test_the_manifest_and_service_worker_are_revalidated(web_client: Client) -> None:
    manifest = await web_client.get("/manifest.webmanifest")
    worker = await web_client.get("/sw.js")

    assert manifest.content_type == "application/manifest+json"
    assert worker.content_type == "text/javascript"
    assert manifest.headers["Cache-Control"] == worker.headers["Cache-Control"] == "no-cache"
    # The worker runs under its script's policy: it may fetch (and cache) this origin's shell.
    assert "connect-src 'self'" in worker.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/v1/nope", "/v1/offers", "/results/extra", "/metrics/x", "/docs/x"]
)
async def test_paths_outside_the_app_keep_their_404(web_client: Client, path: str) -> None:
    response = await web_client.get(path)

    assert response.status == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("path", ["/nope", "/trips/x/y/z", "/results/extra", "/book"])
async def test_a_browser_sent_to_an_unknown_address_gets_the_app_with_a_404(
    web_client: Client, path: str
) -> None:
    response = await web_client.get(path, headers=NAVIGATION)

    assert response.status == 404
    assert await response.read() == SHELL  # the app draws its "Page not found" screen
    assert response.content_type == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Vary"] == "Accept"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("path", "screen"),
    [
        ("/trips/", "/trips"),
        ("/trips/ord_x/", "/trips/ord_x"),
        ("/results/?leg=LHR.JFK.2026-12-20", "/results?leg=LHR.JFK.2026-12-20"),
        ("/offers/off_x/", "/offers/off_x"),
        ("/book/off_x//", "/book/off_x"),
        ("/auth/callback/?code=c&state=s", "/auth/callback?code=c&state=s"),
        ("/profile/", "/profile"),
    ],
)
async def test_a_browser_sent_to_a_page_with_a_trailing_slash_is_redirected_to_the_page(
    web_client: Client, path: str, screen: str
) -> None:
    response = await web_client.get(path, headers=NAVIGATION, allow_redirects=False)

    assert response.status == 308
    assert response.headers["Location"] == screen
    assert response.headers["Vary"] == "Accept"  # a JSON client is answered the 404 problem
    followed = await web_client.get(path, headers=NAVIGATION)
    assert followed.status == 200
    assert await followed.read() == SHELL


@pytest.mark.parametrize("path", ["/nope/", "/trips/x/y/z/", "//evil.example/", "/results/extra/"])
async def test_an_unknown_address_with_a_trailing_slash_is_still_the_pages_404(
    web_client: Client, path: str
) -> None:
    # Through the session: the test client takes `//evil.example/` for another host.
    url = str(web_client.make_url("/")).rstrip("/") + path
    response = await web_client.session.get(url, headers=NAVIGATION, allow_redirects=False)

    assert response.status == 404
    assert await response.read() == SHELL


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
async def test_a_json_client_at_a_page_with_a_trailing_slash_keeps_the_404_problem(
    web_client: Client, accept: str
) -> None:
    response = await web_client.get("/trips/", headers={"Accept": accept}, allow_redirects=False)

    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_a_browser_head_of_an_unknown_address_is_the_pages_404(web_client: Client) -> None:
    response = await web_client.head("/nope", headers=NAVIGATION)

    assert response.status == 404
    assert response.content_type == "text/html"


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/nope", "*/*"),
        ("/nope", "application/json"),
        ("/nope", "text/html, application/problem+json"),
        ("/v1/nope", NAVIGATION["Accept"]),
        ("/v1/offers", NAVIGATION["Accept"]),
        ("/metrics/x", NAVIGATION["Accept"]),
        ("/docs/x", NAVIGATION["Accept"]),
        ("/assets/index-000000.js", NAVIGATION["Accept"]),
    ],
)
async def test_api_paths_and_json_clients_keep_the_404_problem(
    web_client: Client, path: str, accept: str
) -> None:
    response = await web_client.get(path, headers={"Accept": accept})
    problem = await response.json(content_type="application/problem+json")

    assert response.status == 404
    assert problem["status"] == 404
    assert problem["title"] == "Not found"
    assert "Vary" not in response.headers


async def test_a_browser_posting_to_an_unknown_address_gets_the_problem(
    web_client: Client,
) -> None:
    response = await web_client.post("/nope", headers=NAVIGATION)

    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_every_route_is_the_apps_page_or_under_a_path_the_api_owns(
    web_client: Client,
) -> None:
    pages = {
        *webapp.CLIENT_ROUTES,
        *(f"/{name}" for name in webapp.ROOT_FILES),
        bank_return.PATH,  # a page of its own, for the browser
    }
    for resource in web_client.app.router.resources():  # type: ignore[union-attr]
        path = resource.canonical
        if path in pages or resource.name == UNMATCHED:
            continue
        # A new top-level API path must join API_SEGMENTS, or browsers would get a page there.
        assert path.split("/")[1] in webapp.API_SEGMENTS, path


async def test_without_the_web_app_an_unknown_address_is_the_problem(
    settings: Settings, dist: Path
) -> None:
    app = create_app(msgspec.structs.replace(settings, web_dist=str(dist)), service="search")
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/nope", headers=NAVIGATION)

        assert response.status == 404
        assert response.content_type == "application/problem+json"


async def test_the_api_routes_beside_the_app_still_answer(web_client: Client) -> None:
    assert (await web_client.get("/openapi.json")).content_type == "application/json"
    assert (await web_client.get("/docs")).content_type == "text/html"
    assert (await web_client.get("/healthz")).status == 200


async def test_without_a_build_the_app_says_how_to_build_it(unbuilt_client: Client) -> None:
    page = await unbuilt_client.get("/")
    asset = await unbuilt_client.get("/assets/index-abc123.js")
    manifest = await unbuilt_client.get("/manifest.webmanifest")

    assert page.status == 200
    assert "make run" in await page.text()
    assert asset.status == manifest.status == 404


async def test_airports_match_a_city_with_its_airports_first(client: Client) -> None:
    response = await client.get("/v1/airports", params={"q": "london", "limit": "20"})
    codes = [airport["code"] for airport in (await response.json())["airports"]]

    assert response.status == 200
    assert {"LHR", "LGW", "STN", "LCY"} <= set(codes)
    assert len(codes) <= 20


async def test_airports_match_a_code_first_ignoring_case_and_accents(client: Client) -> None:
    by_code = await (await client.get("/v1/airports", params={"q": "jfk"})).json()
    by_accent = await (await client.get("/v1/airports", params={"q": "zürich"})).json()

    assert by_code["airports"][0] == {
        "code": "JFK",
        "name": "John F Kennedy International Airport",
        "city": "New York",
        "country": "US",
    }
    assert by_accent["airports"][0]["code"] == "ZRH"


async def test_airports_name_every_bad_parameter(client: Client) -> None:
    response = await client.get("/v1/airports", params={"limit": "99", "size": "1"})
    problem = await response.json()

    assert response.status == 422
    assert {e["field"] for e in problem["errors"]} == {"query.q", "query.limit", "query.size"}


async def test_airports_offer_london_england_before_london_ontario(client: Client) -> None:
    response = await client.get("/v1/airports", params={"q": "lon"})
    airports = (await response.json())["airports"]

    assert response.status == 200
    # "lon" is IATA's code for London's airports: they come first, London, Ontario (YXU) after.
    assert {a["code"] for a in airports[:5]} == {"LCY", "LGW", "LHR", "LTN", "STN"}
    assert all(a["country"] == "GB" for a in airports[:5])
    kennedy = await (await client.get("/v1/airports", params={"q": "kennedy"})).json()
    assert kennedy["airports"][0]["code"] == "JFK"
