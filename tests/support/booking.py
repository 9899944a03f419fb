"""The whole app in front of the sim airlines, ready to book: `async with booking_app(settings)`.

The app trusts the sim's token issuer, the database is migrated, and `BookingEnv` has the moves
order tests repeat: a token, a fresh offer from a real search, an order for it, the sim's seats.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import asyncpg
import msgspec
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.postgres import connect_options
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.history_details import check_details_stored, steps_from
from tests.support.sim import SimHandle, fast_profiles, running_sim
from tests.support.tokens import bearer, mint_token, sim_issuer

Client = TestClient[web.Request, web.Application]
Headers = dict[str, str]
CABIN_CODES = {"economy": "Y", "premium_economy": "W", "business": "C", "first": "F"}


def adult(given_name: str = "Ada", family_name: str = "Lovelace", **extra: Any) -> dict[str, Any]:
    return {
        "type": "adult",
        "given_name": given_name,
        "family_name": family_name,
        "born_on": "1990-12-10",
        "gender": "f",
        "email": "ada@example.com",
        "phone_number": "+442071838750",
        **extra,
    }


class BookingEnv:
    def __init__(self, client: Client, sim: SimHandle, session: aiohttp.ClientSession) -> None:
        self.client = client
        self.sim = sim
        self._session = session

    async def token(self, sub: str, *, roles: Sequence[str] = ()) -> Headers:
        """Authorization headers for `sub`, from the sim's identity provider."""
        return bearer(await mint_token(self.sim.url, sub, roles=roles))

    async def offer(
        self,
        *,
        origin: str = "LHR",
        destination: str = "JFK",
        days: int = 30,
        source: str = "rest-",
        **params: str,
    ) -> dict[str, Any]:
        """The cheapest nonstop offer of a connector named `source…` (a REST airline by default)
        from a live (uncached) one-way search."""
        query = {"origin": origin, "destination": destination, "departure_date": in_days(days)}
        response = await self.client.get(
            "/v1/search", params={**query, "cache": "false", "max_connections": "0", **params}
        )
        body = await response.json()
        assert response.status == 200, body
        offers = [o for o in body["offers"] if o["source"].startswith(source)]
        assert offers, f"no {source} offer for {query}"
        offer: dict[str, Any] = offers[0]
        return offer

    async def order(
        self,
        headers: Headers,
        offer: dict[str, Any] | str,
        *,
        key: str | None = None,
        passengers: Sequence[dict[str, Any]] | None = None,
        **body: Any,
    ) -> aiohttp.ClientResponse:
        """POST /v1/orders for `offer` (an offer or its id) with a fresh key unless given."""
        offer_id = offer if isinstance(offer, str) else offer["id"]
        payload = {"offer_id": offer_id, "passengers": list(passengers or [adult()]), **body}
        idempotency = {"Idempotency-Key": key or str(uuid.uuid4())}
        return await self.client.post(
            "/v1/orders", json=payload, headers={**headers, **idempotency}
        )

    async def set_seats_left(self, offer: dict[str, Any], seats: int) -> None:
        """Leave `seats` on every leg of the offer's flights (its price stays as quoted)."""
        for leg in _legs(offer):
            await self._sim("PUT", "/_sim/inventory", json={**leg, "seats_left": seats})

    async def seats_left(self, offer: dict[str, Any]) -> int:
        """What the airline has left on the fullest leg of the offer's flights."""
        answers = [await self._sim("GET", "/_sim/inventory", params=leg) for leg in _legs(offer)]
        return min(int(a["seats_left"]) for a in answers)

    async def _sim(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._session.request(method, self.sim.url + path, **kwargs) as response:
            response.raise_for_status()
            return await response.json()


def _legs(offer: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "carrier": seg["marketing_carrier"],
            "number": seg["flight_number"][2:],
            "date": seg["departing_at"][:10],
            "cabin": CABIN_CODES[seg["cabin_class"]],
        }
        for s in offer["slices"]
        for seg in s["segments"]
    ]


def trusting_sim(settings: Settings, sim: SimHandle) -> Settings:
    """`settings` for an app whose airlines, token issuer and payment gateway are `sim`'s."""
    return msgspec.structs.replace(
        settings,
        connectors=sim.connector_settings(),
        jwt_issuer=sim_issuer(sim.url),
        payment_gateway_url=f"{sim.url}/payments",
        max_body_bytes=Settings().max_body_bytes,
    )


@asynccontextmanager
async def booking_app(
    settings: Settings, *, profiles: dict[str, dict[str, float]] | None = None
) -> AsyncIterator[BookingEnv]:
    """The app (migrated database, sim airlines with fast profiles, the sim's token issuer and
    payment gateway)."""
    assert settings.database_url is not None
    async with asyncpg.create_pool(
        settings.database_url, min_size=0, max_size=2, **connect_options(settings)
    ) as pool:
        await migrate(pool, timeout=30)
        since = await steps_from(pool)
    async with running_sim(profiles=profiles or fast_profiles()) as sim:
        configured = trusting_sim(settings, sim)
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            TestClient(TestServer(create_app(configured))) as client,
        ):
            yield BookingEnv(client, sim, session)
    async with asyncpg.create_pool(
        settings.database_url, min_size=0, max_size=1, **connect_options(settings)
    ) as pool:
        await check_details_stored(pool, since)
