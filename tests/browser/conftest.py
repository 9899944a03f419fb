"""The web app in a real browser: Debian's Chromium driven by Playwright, against the real stack.

The stack (the sim's airlines and the API serving web/dist, on free ports, real PostgreSQL and
Redis) runs in a thread with its own event loop: Playwright's sync API (pytest-playwright's
fixtures) must not run inside one. `make test` builds web/dist and installs Chromium first; a
run without them skips these tests, except on CI (`CI` set), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import msgspec
import pytest
from aiohttp import web
from playwright.sync_api import Browser, Page, expect

from sim.identity import IdentityConfig
from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.settings import load_settings
from tests.e2e.conftest import PATIENT_STORES, SUITE_TRAVELER_LIMITS
from tests.support.payment_sim import payments_control
from tests.support.sim import SimHandle, fast_profiles, running_sim
from tests.support.tokens import IdentityClock

T = TypeVar("T")
# Debian's headless shell (the `chromium-headless-shell` package, Chromium's old headless mode;
# Playwright's own default for headless): the browser's window is never drawn. The full browser's
# new headless mode composites a real window per page in the browser process, and the browser
# tests cost it ~40 % more CPU and time here (bench/results/2026-12-07-headless-shell.md).
CHROMIUM = "/usr/bin/chromium-headless-shell"
DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: a busy 2-core machine runs Chromium, the API and the sim at once. Playwright waits
# for each condition up to this long; nothing here measures time.
TIMEOUT_MS = 30_000
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
WEBHOOKS = {"retry_base_ms": 10, "retry_max_ms": 100, "timeout_ms": 5000}
# A shared machine gives each person a range of ports: SKYFARE_BROWSER_PORT puts the API there
# and the sim on the next one (unset: free ports).
PORT = int(os.environ.get("SKYFARE_BROWSER_PORT", "0"))
# One airline always failing, so every results page shows a failed airline beside the others.
FAILING_AIRLINE = "crimson"


def _is_browser_test(item: pytest.Item) -> bool:
    return Path(__file__).parent in Path(str(item.path)).parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Last: Playwright's sync API leaves its event loop set on the main thread until the session
    # ends, and pytest-asyncio cannot run a test's loop beside it. After every other reordering
    # (trylast): pytest's own groups tests by session-scoped parameters, and a test elsewhere
    # whose argument is named like one of Playwright's fixtures (`page`) gets Playwright's
    # `browser_name` and was moved among the browser tests, with every async test after it.
    items.sort(key=_is_browser_test)  # stable: each group keeps its order
    missing = [
        what
        for what, present in (
            (CHROMIUM, Path(CHROMIUM).exists()),
            (f"{DIST}/index.html (make web)", (DIST / "index.html").exists()),
        )
        if not present
    ]
    if not missing or os.environ.get("CI"):  # on CI, run them and fail: nothing hides
        return
    skip = pytest.mark.skip(reason=f"browser tests need {', '.join(missing)}")
    for item in items:
        if _is_browser_test(item):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


class Stack:
    """The sim and the API on free ports, served from a thread until `stop`."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self._urls = (database_url, redis_url)
        self.url = ""
        self.sim_url = ""
        self.app: web.Application | None = None  # set once serving: tests reach its services
        self.sim: SimHandle | None = None  # the sim's control API (run its calls with `run`)
        # The identity provider's clock: set it back and a sign-in is an old one (step-up).
        self.identity_clock = IdentityClock()
        self._ready: Future[str] = Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="browser-stack", daemon=True)

    def start(self) -> str:
        self._thread.start()
        return self._ready.result(timeout=120)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the stack's loop (Playwright's sync API owns this thread's)."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=120)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        database_url, redis_url = self._urls
        profiles = fast_profiles()
        profiles[FAILING_AIRLINE]["error_rate"] = 1.0
        identity = IdentityConfig(clock=self.identity_clock)
        sim_port = PORT + 1 if PORT else 0
        async with running_sim(profiles=profiles, identity=identity, port=sim_port) as sim:
            settings = load_settings(
                {},
                database_url=database_url,
                redis_url=redis_url,
                connectors=sim.connector_settings(),
                web_dist=str(DIST),
                **PATIENT_STORES,
                **SUITE_TRAVELER_LIMITS,
            )
            settings = msgspec.structs.replace(settings, sim_port=int(sim.url.rsplit(":", 1)[1]))
            async with asyncpg.create_pool(database_url, min_size=0) as pool:
                await migrate(pool, timeout=60)
            self.app = create_app(settings)
            runner = web.AppRunner(self.app, access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, "127.0.0.1", PORT).start()
                url = f"http://127.0.0.1:{runner.addresses[0][1]}"
                # The sim's identity provider sends the browser back to this app's callback.
                await sim.register_redirect(f"{url}/auth/callback")
                # The sim gateway's webhooks (a payment's outcome) come to this app, promptly.
                async with payments_control(sim.url) as gateway:
                    await gateway.configure_webhook(url=f"{url}/v1/payments/webhook", **WEBHOOKS)
                    await gateway.set_timing(settle_ms=5, slow_ms=300)
                self.sim_url = sim.url
                self.sim = sim
                self._ready.set_result(url)
                await self._stop.wait()
            finally:
                await runner.cleanup()


@pytest.fixture(scope="session")
def stack(database_url: str, redis_url: str) -> Iterator[Stack]:
    running = Stack(database_url, redis_url)
    running.url = running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def base_url(stack: Stack) -> str:
    """The API serving the built app (pytest-base-url's fixture, so `page.goto("/")` works)."""
    return stack.url


@pytest.fixture(params=list(VIEWPORTS))
def screen(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page on a phone-sized (390×844) or a desktop window."""
    context = browser.new_context(base_url=base_url, **VIEWPORTS[request.param])
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()
