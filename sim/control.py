"""How each simulated airline behaves at run time (latency, errors, hangs) and the `/_sim` API.

The behaviour middleware wraps only the airline endpoints; the control endpoints answer at once.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import Counter
from collections.abc import Mapping
from typing import Annotated

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from sim.catalog import AIRLINES

Rate = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
NonNegative = Annotated[float, msgspec.Meta(ge=0.0)]
ENDPOINTS = (
    "network",
    "shopping",
    "pricing",
    "bookings",
    "retrieve",
    "ticket",
    "cancel",
    "reshop",
    "change",
    "undo_change",
)
# Calls that change nothing at the airline (every front names its routes and operations so).
READ_ONLY = frozenset(
    {
        "network",
        "shopping",
        "pricing",
        "retrieve",
        "reshop",
        "seatmaps",
        "booking_seatmaps",
        "booking_seats",
    }
)
_HANG_POLL_S = 0.05


class Profile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    latency_ms: NonNegative = 0.0  # median of a log-normal
    latency_sigma: NonNegative = 0.0
    error_rate: Rate = 0.0  # share of calls answered 503
    hang_rate: Rate = 0.0  # share of calls never answered
    # Bookings (REST, NDC) only: a successful hold is answered this much later, AFTER the seats
    # were taken — so a test can kill the caller between the airline's hold and its bookkeeping.
    commit_then_delay_ms: NonNegative = 0.0


class ProfileUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    latency_ms: NonNegative | None = None
    latency_sigma: NonNegative | None = None
    error_rate: Rate | None = None
    hang_rate: Rate | None = None
    commit_then_delay_ms: NonNegative | None = None

    def apply(self, profile: Profile) -> Profile:
        changes = {k: v for k, v in msgspec.structs.asdict(self).items() if v is not None}
        return msgspec.structs.replace(profile, **changes)


DEFAULT_PROFILES: dict[str, Profile] = {
    "britannia": Profile(latency_ms=50, latency_sigma=0.25),
    "liberty": Profile(latency_ms=60, latency_sigma=0.25),
    "hansa": Profile(latency_ms=45, latency_sigma=0.25),
    "globetrotter": Profile(latency_ms=80, latency_sigma=0.25),
    "nordic": Profile(latency_ms=70, latency_sigma=0.25),  # SOAP: a heavier, slower stack
    "crimson": Profile(latency_ms=55, latency_sigma=0.25),
}


def profiles_with(overrides: Mapping[str, Mapping[str, float]] | None) -> dict[str, Profile]:
    """`DEFAULT_PROFILES` with `overrides` applied; ValueError for an unknown airline or field."""
    profiles = dict(DEFAULT_PROFILES)
    for slug, fields in (overrides or {}).items():
        if slug not in profiles:
            raise ValueError(f"unknown sim airline {slug!r} (known: {', '.join(profiles)})")
        try:
            update = msgspec.convert(dict(fields), ProfileUpdate)
        except msgspec.ValidationError as exc:
            raise ValueError(f"profile of {slug}: {exc}") from exc
        profiles[slug] = update.apply(profiles[slug])
    return profiles


class Behaviour:
    """Profiles and call counts of every airline, and the middleware that applies a profile."""

    def __init__(self, defaults: Mapping[str, Profile], *, seed: int) -> None:
        self.defaults = dict(defaults)
        self.profiles = dict(defaults)
        self.stats: dict[str, Counter[str]] = {slug: Counter() for slug in defaults}
        self._rng = random.Random(f"{seed}:behaviour")
        self._released = asyncio.Event()

    def reset(self) -> None:
        self.profiles = dict(self.defaults)
        for counter in self.stats.values():
            counter.clear()

    def release_hung(self) -> None:
        """Let every hanging call end (at shutdown), so the server can close."""
        self._released.set()

    def middleware(self, slug: str) -> Middleware:
        """Applies `slug`'s profile to each call, counted under its route's name."""

        @web.middleware
        async def behave(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self.behave(slug, request.match_info.route.name, request, handler)

        return behave

    async def behave(
        self, slug: str, endpoint: str | None, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Count the call under `endpoint` and answer it as `slug`'s profile says.

        The latency is a real airline's: counted from the request's arrival (its whole body
        read), with the airline's own work inside it. A call that only reads (`READ_ONLY`) is
        answered first and sent when the latency is up; one that changes something acts after
        the latency, as before (a hold then `commit_then_delay_ms`; an injected error instead
        of the effect).
        """
        # A call has arrived once its body has: read it first, so that a read-only call is
        # counted and answered in one step, from the state at its arrival (the handlers' own
        # read then returns the body without waiting). Counted at its headers instead, a call
        # whose body came later read a state changed meanwhile by a test that saw it counted.
        await request.read()
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        if endpoint is not None:
            self.stats[slug][endpoint] += 1
        profile = self.profiles[slug]
        if profile.hang_rate and self._rng.random() < profile.hang_rate:
            await self._hang(request)
        latency_s = 0.0
        if profile.latency_ms > 0:
            median_s = profile.latency_ms / 1000
            latency_s = median_s * math.exp(self._rng.gauss(0, profile.latency_sigma))
        if profile.error_rate and self._rng.random() < profile.error_rate:
            await _sleep(latency_s)
            return error_response(503, "unavailable", "simulated outage")
        if endpoint in READ_ONLY:
            response = await handler(request)
            await _sleep(arrived + latency_s - loop.time())
            return response
        await _sleep(latency_s)
        response = await handler(request)
        if endpoint == "bookings" and response.status < 300 and profile.commit_then_delay_ms:
            await asyncio.sleep(profile.commit_then_delay_ms / 1000)
        return response

    async def _hang(self, request: web.Request) -> None:
        # aiohttp does not cancel a handler whose client went away unless the runner asks for it,
        # so look for the closed connection instead of holding the task until shutdown.
        while not self._released.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                return
            await asyncio.sleep(_HANG_POLL_S)


async def _sleep(seconds: float) -> None:
    """Sleep `seconds` if positive; a profile without latency answers without yielding."""
    if seconds > 0:
        await asyncio.sleep(seconds)


_encoder = msgspec.json.Encoder()


def json_response(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload), status=status, content_type="application/json"
    )


def error_response(status: int, code: str, message: str) -> web.Response:
    return json_response({"error": {"code": code, "message": message}}, status)


BEHAVIOUR: web.AppKey[Behaviour] = web.AppKey("sim_behaviour", Behaviour)
_update_decoder = msgspec.json.Decoder(ProfileUpdate)


async def list_airlines(request: web.Request) -> web.Response:
    behaviour = request.app[BEHAVIOUR]
    return json_response(
        {
            "airlines": [
                {
                    "slug": spec.slug,
                    "kind": spec.protocol,
                    "seller": spec.kind,
                    "carrier": {"code": spec.code, "name": spec.name},
                    "base_path": spec.base_path,
                    "profile": behaviour.profiles[spec.slug],
                }
                for spec in AIRLINES
            ]
        }
    )


async def put_profile(request: web.Request) -> web.Response:
    behaviour = request.app[BEHAVIOUR]
    slug = request.match_info["slug"]
    if slug not in behaviour.profiles:
        return error_response(404, "airline_not_found", f"no sim airline {slug!r}")
    try:
        update = _update_decoder.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    behaviour.profiles[slug] = update.apply(behaviour.profiles[slug])
    return json_response({"slug": slug, "profile": behaviour.profiles[slug]})


async def get_stats(request: web.Request) -> web.Response:
    stats = request.app[BEHAVIOUR].stats
    return json_response(
        {
            slug: {endpoint: counts[endpoint] for endpoint in ENDPOINTS}
            for slug, counts in stats.items()
        }
    )


async def post_reset(request: web.Request) -> web.Response:
    request.app[BEHAVIOUR].reset()
    return web.Response(status=204)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/_sim/airlines", list_airlines, name="sim_airlines")
    router.add_put("/_sim/airlines/{slug}/profile", put_profile, name="sim_profile")
    router.add_get("/_sim/stats", get_stats, name="sim_stats")
    router.add_post("/_sim/reset", post_reset, name="sim_reset")
