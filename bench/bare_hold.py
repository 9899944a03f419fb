"""The booking row's floor: a hold reduced to the I/O it cannot skip, with none of Skyfare's code.

`POST /v1/orders` `{"offer_id": "<REST airline>:<its fare id>", "passengers": [...]}` on a bare
aiohttp + uvloop handler, on the same libraries and servers as Skyfare's worker:

1. the traveler's rate limit: Skyfare's GCRA script, one `EVALSHA` through redis-py;
2. the `Idempotency-Key` looked up: one read;
3. the airline's re-price: one call on Skyfare's kept-alive HTTP/1.1 client (`kernel/http1.py`);
   a changed price answers 409 naming the new fare id, as Skyfare's 409 names the new offer;
4. the raw loop's rows (`bench.booking_sql`): the order with its passenger, history, event and
   recovery point, the key claimed in the same statement (one commit, as Skyfare's create);
5. the airline's hold: one call;
6. the guarded `pending → held` with its history, event and stored answer; 201.

What it leaves out is everything that is Skyfare's own: authentication (a bearer is not even
read), validation and problem documents, the domain model and its answer, the traveler's limits
under the owner's lock, metrics, logs, tracing, the changed fare's eviction from the cache. So on
the harness's booking step `bare ÷ raw` is what the I/O a hold must do costs on these libraries
(HTTP in and out, two airline calls, the Redis script, the look-up), and `API ÷ bare` how much of
that floor Skyfare keeps, as the cached-search rows' bare handler is theirs. Its round trips and
commits are a `201`'s in Skyfare (look-up, create, `held`: two commits) and a `409`'s (look-up);
its rows are the raw loop's, which claims the key on its own (three commits).

    python -m bench.bare_hold --port 8091 --database-url "$DATABASE_URL" --redis-url "$REDIS_URL" \
        --sim-url http://127.0.0.1:9100 [--pool-size 10]

The load is `bench.booking_rate bare`; rows go to an owner of their own, deleted on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import msgspec
import orjson
import redis.asyncio as redis
import uvloop
from aiohttp import web

from bench import booking_sql as sql
from bench.booking_rate import REST_AIRLINES
from bench.harness_stack import BENCH_TRAVELER_LIMITS
from kernel.http1 import Http1Origin
from skyfare.postgres import StatelessConnection
from skyfare.ratelimit import RateLimiter

TIMEOUT_S = 10.0
POOL_SIZE = 10  # as one API process's (SKYFARE_DB_POOL_MAX)
AIRLINE_CONNECTIONS = 32
LOOKUP = """
SELECT response_status, response_body, locked_until FROM idempotency_keys
WHERE owner = $1 AND key = $2"""


class Passenger(msgspec.Struct):
    given_name: str
    family_name: str
    born_on: str
    type: str = "adult"
    gender: str = "x"


class HoldRequest(msgspec.Struct):
    offer_id: str
    passengers: list[Passenger]


@dataclass(frozen=True, slots=True)
class Traveler:
    """What `RateLimiter.decide` reads: the limits the harness gives Skyfare's travelers."""

    id: str
    rate_per_s: float = float(BENCH_TRAVELER_LIMITS["SKYFARE_TRAVELER_RATE_PER_S"])
    burst: int = int(BENCH_TRAVELER_LIMITS["SKYFARE_TRAVELER_BURST"])


_TYPES = {"adult": "ADT", "child": "CHD", "infant": "INF"}
_GENDERS = {"f": "F", "m": "M"}
_decode = msgspec.json.Decoder(HoldRequest).decode


class BareHold:
    def __init__(
        self, pool: asyncpg.Pool, limiter: RateLimiter, airline: Http1Origin, owner: str
    ) -> None:
        self._pool = pool
        self._limiter = limiter
        self._airline = airline
        self._targets = {
            slug: (f"/rest/{slug}/pricing", f"/rest/{slug}/bookings") for slug in REST_AIRLINES
        }
        self.owner = owner

    async def handle(self, request: web.Request) -> web.Response:
        body = _decode(await request.read())
        key = request.headers.get("Idempotency-Key", "")
        await self._limiter.decide(Traveler(request.headers.get("Authorization", "")[-32:]))
        async with self._pool.acquire(timeout=TIMEOUT_S) as conn:
            if await conn.fetchrow(LOOKUP, self.owner, key, timeout=TIMEOUT_S) is not None:
                return _json(409, {"detail": "key in use"})
        slug, _, fare_id = body.offer_id.partition(":")
        pricing, bookings = self._targets[slug]
        status, answer = await self._call(pricing, {"fare_id": fare_id})
        priced = orjson.loads(answer)
        if status != 200:
            return _json(409, {"detail": priced["error"]["code"]})
        if priced["price_changed"]:
            return _json(409, {"offer_id": f"{slug}:{priced['fare']['fare_id']}"})
        order_id, reference = await sql.create_order(
            self._pool, self.owner, key, TIMEOUT_S, folded=True
        )
        status, answer = await self._call(
            bookings,
            {
                "fare_id": fare_id,
                "reference": order_id,
                "passengers": [_airline_passenger(p) for p in body.passengers],
            },
        )
        booking = orjson.loads(answer)
        if status not in (200, 201):
            return _json(409, {"detail": booking["error"]["code"]})
        locator = booking["booking"]["locator"]
        await sql.mark_held(self._pool, self.owner, key, order_id, reference, locator, TIMEOUT_S)
        return _json(201, {"id": order_id, "status": "held", "booking_reference": reference})

    async def _call(self, target: str, payload: object) -> tuple[int, bytes]:
        async with asyncio.timeout(TIMEOUT_S):
            return await self._airline.request(
                "POST", target, body=orjson.dumps(payload), headers=None
            )


def _airline_passenger(passenger: Passenger) -> dict[str, str]:
    return {
        "type": _TYPES[passenger.type],
        "first_name": passenger.given_name,
        "last_name": passenger.family_name,
        "birth_date": passenger.born_on,
        "gender": _GENDERS.get(passenger.gender, "X"),
    }


def _json(status: int, payload: object) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(payload), content_type="application/json")


def make_app(hold: BareHold) -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/orders", hold.handle)
    return app


def airline_origin(sim_url: str) -> Http1Origin:
    """The sim's REST airlines, kept-alive, as Skyfare's connectors call them."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return Http1Origin(sim_url, headers, connections=AIRLINE_CONNECTIONS)


async def serve(args: argparse.Namespace) -> None:
    pool = await asyncpg.create_pool(
        args.database_url,
        min_size=args.pool_size,
        max_size=args.pool_size,
        timeout=TIMEOUT_S,
        connection_class=StatelessConnection,  # released without a reset query, as the API's
    )
    client = redis.Redis.from_url(args.redis_url)
    airline = airline_origin(args.sim_url)
    owner = f"bench-bare-{os.getpid()}-{time.time():.0f}"
    app = make_app(BareHold(pool, RateLimiter(client), airline, owner))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port, reuse_port=True, backlog=1024).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await airline.close()
        await sql.delete_owner(pool, owner, timeout_s=60.0)
        await pool.close()
        await client.aclose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--sim-url", required=True)
    parser.add_argument("--pool-size", type=int, default=POOL_SIZE)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(serve(args))


if __name__ == "__main__":
    main()
