"""A real sim server on a free port for tests: `async with running_sim() as sim: ...`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from sim.identity import IdentityConfig
from sim.server import create_sim_app
from skyfare.settings import ConnectorSettings, default_connectors
from tests.support.fake_server import serve
from tests.support.ndc_exchanges import ExchangeRecorder, schema_folder_or_none, standards_dir

FAST: dict[str, float] = {"latency_ms": 2, "latency_sigma": 0.1}
SLUGS = ("britannia", "liberty", "hansa", "nordic", "crimson", "globetrotter")


def fast_profiles() -> dict[str, dict[str, float]]:
    """The FAST profile for every airline, so suites stay quick."""
    return {slug: dict(FAST) for slug in SLUGS}


class SimHandle:
    """A sim server listening on 127.0.0.1:<free port>, with its control API at hand."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self._session = session

    def connector_settings(self) -> tuple[ConnectorSettings, ...]:
        """Settings for every simulated airline, named as `skyfare.settings` names them."""
        return default_connectors(self.url)

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
) -> AsyncIterator[SimHandle]:
    """Start the sim on a free port of 127.0.0.1; stop it (and every hanging call) on exit.
    Fails the test if the sim raised on its own (tests/support/fake_server.py), or if an NDC
    message it exchanged is not valid against IATA's NDC 21.3 schemas, when they are here
    (tests/support/ndc_exchanges.py; the tests that need them fail under CI without them).
    `identity` configures its identity provider (a test clock, the direct grant off, redirect
    URIs)."""
    recorder = ExchangeRecorder()
    app = create_sim_app(
        seed=seed, profiles=profiles, identity=identity, standards_dir=str(standards_dir())
    )
    app.middlewares.append(recorder.middleware)
    async with (
        serve(app) as url,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
    ):
        yield SimHandle(url, session)
    folder = schema_folder_or_none()
    if folder is not None:
        recorder.check(folder)
