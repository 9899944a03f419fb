"""When the cached search's lane is on, and what its answer's head holds (skyfare/cached_lane.py);
its answers against aiohttp's path are compared over sockets in tests/e2e/test_cached_lane.py."""

from __future__ import annotations

import msgspec
from aiohttp import web

from search import routes as search_routes
from search.routes import SEARCH_SERVICE
from search.service import SearchService
from skyfare.cached_lane import CachedSearchLane, lane_for
from skyfare.security_headers import owed_headers
from skyfare.settings import load_settings


def _app(with_search: bool, *, with_routes: bool = True) -> web.Application:
    app = web.Application()
    if with_search:
        app[SEARCH_SERVICE] = SearchService([], default_deadline_ms=1000)
    if with_routes:
        search_routes.add_routes(app.router)
    return app


def test_the_lane_is_on_by_default_for_an_app_that_searches() -> None:
    assert isinstance(lane_for(_app(True), load_settings({})), CachedSearchLane)


def test_the_lane_is_off_without_search_or_its_routes_when_switched_off_or_when_tracing() -> None:
    settings = load_settings({})
    assert lane_for(_app(False), settings) is None
    # Booking's app: the service (it re-prices offers), not the routes.
    assert lane_for(_app(True, with_routes=False), settings) is None
    assert lane_for(_app(True), load_settings({"SKYFARE_CACHED_LANE": "false"})) is None
    traced = msgspec.structs.replace(settings, otel_endpoint="http://collector:4318")
    assert lane_for(_app(True), traced) is None


def test_the_head_holds_every_owed_header_once_in_the_views_order() -> None:
    lane = lane_for(_app(True), load_settings({}))
    assert lane is not None
    head = lane._head % (b"rid-1", 123, b"Sat, 05 Dec 2026 06:00:00 GMT")
    lines = head.decode().split("\r\n")

    assert lines[0] == "HTTP/1.1 200 OK"
    assert lines[-2:] == ["", ""]
    names = [line.split(":", 1)[0] for line in lines[1:-2]]
    owed = list(owed_headers("X-Request-Id", "rid-1").items())
    assert names == ["Content-Type", "X-Cache", *(n for n, _ in owed), "Content-Length", "Date"]
    assert {f"{n}: {v}" for n, v in owed} <= set(lines)
    assert "Content-Length: 123" in lines
