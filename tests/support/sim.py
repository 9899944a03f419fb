"""A real sim server on a free port for tests: `async with running_sim() as sim: ...`.

Each sim's airlines are reached at an address of their own (`serve_sim`): the fare cache and
its index are scoped by the airlines' URLs (search/service.py), and live in the test session's
one Redis. On 127.0.0.1 alone, a later test's sim could be given an earlier one's port, and its
app would be served the fares that test cached (tests/e2e/test_sim_cache_scope.py).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from sim.identity import IdentityConfig
from sim.server import create_sim_app
from skyfare.settings import ConnectorSettings, default_connectors
from tests.support.fake_server import serve_on
from tests.support.ndc_exchanges import ExchangeRecorder, schema_folder_or_none, standards_dir

FAST: dict[str, float] = {"latency_ms": 2, "latency_sigma": 0.1}
SLUGS = ("britannia", "liberty", "hansa", "nordic", "crimson", "globetrotter")
# The airlines' loopback addresses, 127.1.1.1 … 127.254.254.254 (all of 127/8 is the loopback on
# Linux, no set-up needed): one per sim, counted from a random start, so no two sims of a session
# share one and a session is unlikely to meet a previous one's still-cached answers.
_AIRLINE_HOSTS = 254**3
_first_host = secrets.randbelow(_AIRLINE_HOSTS)
_hosts_taken = itertools.count()


def airline_host() -> str:
    """A loopback address no other sim of this session is served at."""
    n = (_first_host + next(_hosts_taken)) % _AIRLINE_HOSTS
    return f"127.{n // 254**2 + 1}.{n // 254 % 254 + 1}.{n % 254 + 1}"


@asynccontextmanager
async def serve_sim(app: web.Application, *, port: int = 0) -> AsyncIterator[tuple[str, str]]:
    """Serve the sim `app` (`serve`) on 127.0.0.1 and on an `airline_host()`, at one port:
    (its URL, its airlines' URL)."""
    async with serve_on(app, ("127.0.0.1", airline_host()), port=port) as (url, airlines_url):
        yield url, airlines_url


def fast_profiles() -> dict[str, dict[str, float]]:
    """The FAST profile for every airline, so suites stay quick."""
    return {slug: dict(FAST) for slug in SLUGS}


class SimHandle:
    """A sim server listening on 127.0.0.1:<free port>, with its control API at hand; its
    airlines at `airlines_url` (the same server at an address of its own: `serve_sim`)."""

    def __init__(
        self, url: str, session: aiohttp.ClientSession, *, airlines_url: str | None = None
    ) -> None:
        self.url = url
        self.airlines_url = url if airlines_url is None else airlines_url
        self._session = session

    def connector_settings(self) -> tuple[ConnectorSettings, ...]:
        """Settings for every simulated airline, named as `skyfare.settings` names them, at
        `airlines_url`: an app configured with them caches fares no other sim's app sees."""
        return default_connectors(self.airlines_url)

    async def set_profile(self, slug: str, **fields: float) -> None:
        await self._call("PUT", f"/_sim/airlines/{slug}/profile", json=fields)

    async def set_seats_left(self, leg: dict[str, str], seats_left: int) -> None:
        """Leave `seats_left` on one leg (`carrier`, `number`, `date`, `cabin`; sim/seats.py)."""
        await self._call("PUT", "/_sim/inventory", json={**leg, "seats_left": seats_left})

    async def stats(self) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = await self._call("GET", "/_sim/stats")
        return stats

    async def register_redirect(self, redirect_uri: str, client_id: str = "skyfare-web") -> None:
        """Let the identity provider send `client_id`'s sign-ins back to `redirect_uri`."""
        body = {"client_id": client_id, "redirect_uris": [redirect_uri]}
        await self._call("POST", "/_sim/identity/clients", json=body)

    async def reset(self) -> None:
        await self._call("POST", "/_sim/reset")

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        async with self._session.request(method, self.url + path, json=json) as response:
            response.raise_for_status()
            return await response.json() if response.status != 204 else None


@asynccontextmanager
async def running_sim(
    *,
    seed: int = 42,
    profiles: dict[str, dict[str, float]] | None = None,
    identity: IdentityConfig | None = None,
    port: int = 0,
) -> AsyncIterator[SimHandle]:
    """Start the sim on a free port of 127.0.0.1; stop it (and every hanging call) on exit.
    Fails the test if the sim raised on its own (tests/support/fake_server.py), or if an NDC
    message it exchanged is not valid against IATA's NDC 21.3 schemas, when they are here
    (tests/support/ndc_exchanges.py; the tests that need them fail under CI without them).
    `identity` configures its identity provider (a test clock, the direct grant off, redirect
    URIs). `port`: the one to listen on (0: a free one)."""
    recorder = ExchangeRecorder()
    app = create_sim_app(
        seed=seed, profiles=profiles, identity=identity, standards_dir=str(standards_dir())
    )
    app.middlewares.append(recorder.middleware)
    async with (
        serve_sim(app, port=port) as (url, airlines_url),
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
    ):
        yield SimHandle(url, session, airlines_url=airlines_url)
    folder = schema_folder_or_none()
    if folder is not None:
        recorder.check(folder)
