"""Session cutoffs A/B: what checking them costs an authenticated route, in one run.

    DATABASE_URL=... REDIS_URL=... python -m bench.session_cutoff_ab
        [--turns 5] [--requests 3000] [--concurrency 16] [--out FILE.json]

One app (`create_app`, the booking routes, real PostgreSQL and Redis, the sim's identity
provider) serves `GET /v1/orders?limit=1` to an aiohttp load loop in the same process, with
`concurrency` travelers (one token each, reused: the per-process token cache is hit, as for a
real client). Three arms, switched on the running app between measurements, in a rotating
order each turn so that a machine getting busier slows them alike:

- `off`: no cutoff check (the authenticator before skyfare/auth/cutoffs.py);
- `on`: the check as shipped: a traveler's cutoff is read from memory, Redis is asked at most
  once per `SKYFARE_SESSION_CUTOFF_CACHE_S` (10 s) per traveler;
- `get_each`: the cutoff read from Redis on every request (a TTL of 0): the round trip the
  cache saves, for scale.

Prints, per arm, the median over turns of requests/s and of the p50/p99 latency, and the
median of its turn-by-turn ratio to `off`. Also times the authenticator alone (a remembered
token, no HTTP), median of `--repeat` runs of `--number` calls, per arm: the check's own CPU
per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Sequence
from typing import Any

import aiohttp
import msgspec
from aiohttp import web
from aiohttp.test_utils import TestServer, make_mocked_request

from kernel.auth import IDENTIFY
from skyfare.app import create_app
from skyfare.auth import JwksAuthenticator
from skyfare.auth.cutoffs import SessionCutoffs
from skyfare.keys import REDIS, SESSION_CUTOFFS
from skyfare.settings import load_settings
from tests.support.sim import running_sim
from tests.support.tokens import bearer, mint_token, sim_issuer

ARMS = ("off", "on", "get_each")
PATH = "/v1/orders?limit=1"


def _arm(app: web.Application, arm: str) -> None:
    authenticator = app[IDENTIFY]
    assert isinstance(authenticator, JwksAuthenticator)
    if arm == "off":
        authenticator.cutoffs = None
    elif arm == "on":
        authenticator.cutoffs = app[SESSION_CUTOFFS]
    else:
        authenticator.cutoffs = SessionCutoffs(app[REDIS], timeout_s=1.0, ttl_s=0.0)


async def _load(
    session: aiohttp.ClientSession, url: str, tokens: list[dict[str, str]], requests: int
) -> dict[str, float]:
    latencies: list[float] = []
    left = requests

    async def traveler(headers: dict[str, str]) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            started = time.perf_counter()
            async with session.get(url, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{response.status}: {await response.text()}")
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(traveler(headers) for headers in tokens))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


async def _authenticator_alone(
    app: web.Application, token: dict[str, str], number: int, repeat: int
) -> dict[str, float]:
    """µs per `authenticate` of a remembered token, per arm (median of `repeat` runs)."""
    request = make_mocked_request("GET", "/v1/orders", headers=token)
    authenticator = app[IDENTIFY]
    assert isinstance(authenticator, JwksAuthenticator)
    result = {}
    for arm in ARMS:
        _arm(app, arm)
        await authenticator.authenticate(request)  # remembered from here on
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            for _ in range(number):
                await authenticator.authenticate(request)
            runs.append((time.perf_counter() - started) / number * 1e6)
        result[arm] = statistics.median(runs)
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings(
        connectors=(),
        traveler_rate_per_s=100_000.0,
        traveler_burst=1_000_000,
        # A limiter that fails open under load skips its Redis call: the arms would differ.
        rate_limit_timeout_ms=5000,
    )
    async with running_sim() as sim:
        configured = msgspec.structs.replace(settings, jwt_issuer=sim_issuer(sim.url))
        app = create_app(configured)
        async with (
            TestServer(app, port=args.port) as server,
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.concurrency)
            ) as session,
        ):
            tokens = [
                bearer(await mint_token(sim.url, f"usr_bench{uuid.uuid4().hex[:8]}"))
                for _ in range(args.concurrency)
            ]
            url = str(server.make_url(PATH))
            await _load(session, url, tokens, args.requests)  # warm-up: pools, JWKS, caches
            turns: dict[str, list[dict[str, float]]] = {arm: [] for arm in ARMS}
            for turn in range(args.turns):
                order = ARMS[turn % 3 :] + ARMS[: turn % 3]
                for arm in order:
                    _arm(app, arm)
                    turns[arm].append(await _load(session, url, tokens, args.requests))
            alone = await _authenticator_alone(app, tokens[0], args.number, args.repeat)
    summary = {
        arm: {key: statistics.median(t[key] for t in runs) for key in ("rps", "p50_ms", "p99_ms")}
        for arm, runs in turns.items()
    }
    for arm in ARMS:
        # Paired within each turn (the arms of one turn ran back to back): the machine's drift
        # between turns moves both sides of a pair alike.
        pairs = zip(turns[arm], turns["off"], strict=True)
        summary[arm]["rps_vs_off"] = statistics.median(a["rps"] / b["rps"] for a, b in pairs)
        summary[arm]["authenticate_us"] = alone[arm]
    return {"args": vars(args), "summary": summary, "turns": turns}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--number", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    print(f"{'arm':<9} {'req/s':>8} {'vs off':>7} {'p50 ms':>7} {'p99 ms':>7} {'auth µs':>8}")
    for arm, row in result["summary"].items():
        print(
            f"{arm:<9} {row['rps']:>8.0f} {row['rps_vs_off']:>7.3f} {row['p50_ms']:>7.2f} "
            f"{row['p99_ms']:>7.2f} {row['authenticate_us']:>8.2f}"
        )
    if args.out:
        with open(args.out, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
