"""Booking: `POST /v1/orders` (hold) orders/s, beside a raw asyncpg loop writing the same rows.

`api`: C clients, each with its own traveler token from the sim's identity provider, hold offers
found by uncached searches (one adult each, a fresh `Idempotency-Key` per order) for a fixed time.
`bare`: the same clients against `bench.bare_hold` (the hold's I/O with no Skyfare code), holding
the sim's REST airlines' fares asked for directly.
`raw`: C tasks on a pool the size of one API process's (`SKYFARE_DB_POOL_MAX`, 10) run, per order,
the database work a hold does — claim the idempotency key; insert the order with its passenger,
history row, outbox event and recovery point in one statement; then, in one transaction, the
guarded `pending → held` update, then its history row, event and stored answer in one statement
— with no HTTP, no airline and no domain code, on connections released without a reset query.
Raw rows belong to an owner of their own and are deleted after.

    python -m bench.booking_rate api --url http://127.0.0.1:8080 --sim-url http://127.0.0.1:9100
    python -m bench.booking_rate raw --database-url "$DATABASE_URL"
    python -m bench.booking_rate bare --url http://127.0.0.1:8091 --sim-url …  [--airlines a,b]
    [--seconds 10] [--concurrency 16]      # each prints one JSON object of figures
    [--cpu api_workers=PID+PID --cpu postgresql=PID]   # + CPU ms per order, measured window
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence

import aiohttp
import asyncpg
import uvloop

from bench import booking_sql as sql
from bench.machine import tree_cpu_times
from bench.stats import spectrum
from bench.traffic import POPULAR, passengers
from skyfare.postgres import StatelessConnection

TIMEOUT_S = 10.0
WARMUP_S = 1.0
SEARCHES = 30  # uncached searches whose offers are held, in turn
# `bare`: it makes ~2.5× the API's holds, so it holds ~3× as many fares (the API side's
# searches find ~340 offers) for no more sales per flight, and the harness gives each run days
# of its own (`--first-day`), away from the API side's (20–49 days ahead): a run does not meet
# flights an earlier one sold out, and 409s come, as on the API side, from moved fares.
FARES = 1000
REST_AIRLINES = ("britannia", "liberty", "hansa")  # sim/REST_API.md: the operating ones


class CpuProbe:
    """CPU seconds of named server processes (`--cpu name=pid+pid`, each with its children: a
    postmaster's backends) and of this process, over the measured window only: the searches,
    the token minting and the warm-up before it are not an order's cost. `<name>_kernel` is
    the part of `<name>` spent in the kernel (system time)."""

    def __init__(self, named: Mapping[str, Sequence[int]]) -> None:
        self._named = named
        self._start: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        now: dict[str, float] = {}
        for name, pids in self._named.items():
            times = [tree_cpu_times(pid) for pid in pids]
            now[name] = sum(map(sum, times))
            now[f"{name}_kernel"] = sum(system for _, system in times)
        own = os.times()
        return {**now, "client": own.user + own.system, "client_kernel": own.system}

    def start(self) -> None:
        self._start = self._now()

    def stop(self) -> None:
        self.used = {k: v - self._start[k] for k, v in self._now().items()}

    async def window(self, start_at: float, stop_at: float) -> None:
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        self.start()
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        self.stop()


def parse_cpu(values: Sequence[str]) -> dict[str, list[int]]:
    """`["api_workers=12+13", "postgresql=40"]` → `{"api_workers": [12, 13], …}`."""
    named = (value.split("=", 1) for value in values)
    return {name: [int(pid) for pid in pids.split("+") if pid] for name, pids in named}


async def _paced(
    seconds: float,
    concurrency: int,
    one: Callable[[int], Awaitable[str]],
    probe: CpuProbe | None = None,
) -> tuple[Counter[str], list[float]]:
    """Run `one(worker)` in `concurrency` loops for WARMUP_S + `seconds`; outcome counts and
    latencies (ms) of the calls that started after the warm-up; `probe` reads the CPU used
    between the two."""
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    start = time.perf_counter()
    measured_from, end = start + WARMUP_S, start + WARMUP_S + seconds
    if probe is not None:
        window = asyncio.create_task(probe.window(measured_from, end))

    async def loop(worker: int) -> None:
        while (began := time.perf_counter()) < end:
            outcome = await one(worker)
            outcomes["attempts_total"] += 1  # warm-up included: what the server CPU paid for
            if began >= measured_from:
                outcomes[outcome] += 1
                if outcome == "ok":
                    latencies.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(loop(w) for w in range(concurrency)))
    if probe is not None:
        await window
    return outcomes, latencies


def figures(
    outcomes: Counter[str],
    latencies: Sequence[float],
    seconds: float,
    probe: CpuProbe | None = None,
) -> dict[str, float]:
    result: dict[str, float] = {"orders_per_s": round(outcomes["ok"] / seconds, 2)}
    if probe is not None and outcomes["ok"]:
        # Per order made in the window (the API side's 409s included in what it cost).
        result.update(
            {
                f"cpu_ms_per_ok_{k}": round(v * 1000 / outcomes["ok"], 3)
                for k, v in probe.used.items()
            }
        )
    result["attempts_total"] = float(outcomes.pop("attempts_total", 0))
    result.update({f"outcome_{name}": float(count) for name, count in sorted(outcomes.items())})
    if latencies:
        result.update({f"{k}_ms": v for k, v in spectrum(latencies, (0.5, 0.99)).items()})
    return result


async def _offers(session: aiohttp.ClientSession, url: str) -> list[str]:
    """Offer ids of uncached one-adult searches over popular routes and a spread of dates."""
    ids: list[str] = []
    today = _today()
    for i in range(SEARCHES):
        origin, destination = POPULAR[i % len(POPULAR)]
        day = (today + dt.timedelta(days=20 + i)).isoformat()
        query = f"origin={origin}&destination={destination}&departure_date={day}&cache=false"
        async with session.get(f"{url}/v1/search?{query}") as response:
            body = await response.json()
        ids.extend(offer["id"] for offer in body.get("offers", []))
    if not ids:
        raise RuntimeError("the searches found no offers to hold")
    return ids


async def _fares(
    session: aiohttp.ClientSession, sim_url: str, airlines: Sequence[str], first_day: int
) -> list[str]:
    """Fares of the sim's REST airlines, asked for directly (`bench.bare_hold`'s offers, each
    `<airline>:<fare id>`): one adult, economy, nonstop (a sale moves one fare, not every
    connection on its leg), over the popular routes, day after day from
    `first_day` days ahead, until there are FARES of them."""
    ids: list[str] = []
    today = _today()
    for i in range(FARES):
        origin, destination = POPULAR[i % len(POPULAR)]
        day = (today + dt.timedelta(days=first_day + i // len(POPULAR))).isoformat()
        shopping = {
            "journeys": [{"from": origin, "to": destination, "date": day}],
            "travellers": {"ADT": 1, "CHD": 0, "INF": 0},
            **{"cabin": "Y", "max_stops": 0, "currency": "USD"},
        }
        for airline in airlines:
            async with session.post(f"{sim_url}/rest/{airline}/shopping", json=shopping) as r:
                body = await r.json()
            ids.extend(f"{airline}:{fare['fare_id']}" for fare in body.get("fares", []))
        if len(ids) >= FARES:
            return ids[:FARES]
    raise RuntimeError(f"{', '.join(airlines)} sold fewer than {FARES} fares on popular routes")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def _token(session: aiohttp.ClientSession, sim_url: str, sub: str) -> str:
    async with session.post(f"{sim_url}/identity/token", json={"sub": sub}) as response:
        response.raise_for_status()
        token: str = (await response.json())["access_token"]
    return token


async def api(
    url: str,
    sim_url: str,
    seconds: float,
    concurrency: int,
    *,
    verify: bool = True,
    search_url: str | None = None,
    cpu: Mapping[str, Sequence[int]] | None = None,
    airlines: Sequence[str] = (),
    first_day: int = 60,
) -> dict[str, float]:
    """`airlines`: hold these sim REST airlines' fares, asked for directly, instead of Skyfare's
    offers (the load on `bench.bare_hold`, whose `offer_id` is `<airline>:<fare id>`)."""
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    # verify=False: the gateway's certificate, made at run time (bench/gateway.py).
    connector = aiohttp.TCPConnector(limit=concurrency + 1, ssl=verify)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # A `booking` process alone serves no searches: they go to `search_url` then.
        if airlines:
            offers = await _fares(session, sim_url, airlines, first_day)
        else:
            offers = await _offers(session, search_url or url)
        run = f"{os.getpid()}-{int(time.time())}"
        tokens = [
            await _token(session, sim_url, f"bench-booker-{run}-{w}") for w in range(concurrency)
        ]
        turn = itertools.count()
        people = passengers(1, 0, 0, _today())

        async def hold(worker: int) -> str:
            slot = next(turn) % len(offers)
            body = {"offer_id": offers[slot], "type": "hold", "passengers": people}
            headers = {
                "Authorization": f"Bearer {tokens[worker]}",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            try:
                async with session.post(f"{url}/v1/orders", json=body, headers=headers) as r:
                    answer = await r.read()
            except (aiohttp.ClientError, TimeoutError):
                return "no_answer"
            if r.status == 409:
                # Every seat sold moves the sim's fare: the 409 names the offer at its new
                # price, which the next order of this slot takes (a traveler confirming it).
                offers[slot] = json.loads(answer).get("offer_id") or offers[slot]
            return "ok" if r.status == 201 else str(r.status)

        probe = None if cpu is None else CpuProbe(cpu)
        outcomes, latencies = await _paced(seconds, concurrency, hold, probe)
    result = figures(outcomes, latencies, seconds, probe)
    result["offers"] = float(len(set(offers)))
    return result


async def raw(
    dsn: str,
    seconds: float,
    concurrency: int,
    pool_size: int,
    cpu: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, float]:
    owner = f"bench-raw-{os.getpid()}-{int(time.time())}"
    pool = await asyncpg.create_pool(
        dsn,
        min_size=pool_size,
        max_size=pool_size,
        timeout=TIMEOUT_S,
        connection_class=StatelessConnection,  # released without a reset query, as the API's
    )
    try:

        async def order(_: int) -> str:
            try:
                await sql.write_order(pool, owner, timeout_s=TIMEOUT_S)
            except (asyncpg.PostgresError, OSError, TimeoutError) as exc:
                return type(exc).__name__
            return "ok"

        probe = None if cpu is None else CpuProbe(cpu)
        outcomes, latencies = await _paced(seconds, concurrency, order, probe)
        await sql.delete_owner(pool, owner, timeout_s=60.0)
    finally:
        await pool.close()
    return figures(outcomes, latencies, seconds, probe)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("mode", choices=("api", "bare", "raw"))
    parser.add_argument("--url", help="api: the Skyfare API")
    parser.add_argument("--sim-url", help="api: the sim (its identity provider mints tokens)")
    parser.add_argument("--database-url", help="raw: the PostgreSQL the API uses")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pool-size", type=int, default=10, help="raw: connections")
    parser.add_argument("--insecure", action="store_true", help="api: trust any certificate")
    parser.add_argument("--search-url", help="api: where the searches go (default: --url)")
    parser.add_argument(
        "--airlines", default=",".join(REST_AIRLINES), help="bare: the sim REST airlines' slugs"
    )
    parser.add_argument("--first-day", type=int, default=60, help="bare: days ahead of the fares")
    parser.add_argument(
        "--cpu",
        action="append",
        default=[],
        metavar="NAME=PID[+PID…]",
        help="server processes (with their children) whose CPU per order is reported",
    )
    args = parser.parse_args(argv)
    cpu = parse_cpu(args.cpu) if args.cpu else None
    if args.mode in ("api", "bare"):
        if not (args.url and args.sim_url):
            parser.error(f"{args.mode} needs --url and --sim-url")
        result = uvloop.run(
            api(
                args.url,
                args.sim_url,
                args.seconds,
                args.concurrency,
                verify=not args.insecure,
                search_url=args.search_url,
                cpu=cpu,
                airlines=args.airlines.split(",") if args.mode == "bare" else (),
                first_day=args.first_day,
            )
        )
    else:
        if not args.database_url:
            parser.error("raw needs --database-url")
        result = uvloop.run(
            raw(args.database_url, args.seconds, args.concurrency, args.pool_size, cpu)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
