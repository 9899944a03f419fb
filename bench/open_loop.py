"""An open-loop load generator: requests leave at a fixed arrival rate, whatever the server does.

A closed-loop tool (wrk, a fixed pool of clients) sends the next request only when an answer came
back, so while the server stalls it stops asking and the stall shows up as one slow request
instead of the hundreds that real clients would have sent meanwhile ("coordinated omission").
Here every request has an intended send time on a fixed schedule; each is sent at that time on
its own task (no client pool limits it), and its latency is measured **from the intended time**,
so a generator or server that falls behind is charged for it. `lag` (actual − intended send time)
says how far behind the generator itself was.

    python -m bench.open_loop --rate 40 --duration 20 [--poisson] \
        --url 'http://127.0.0.1:8080/v1/search?origin=LHR&destination=JFK&departure_date={date}&cache=false'

`{date}` in the URL becomes a departure date cycling over the 60 days from a week ahead.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Sequence

import aiohttp
import msgspec
import uvloop

from bench.machine import self_cpu_seconds
from bench.stats import percentile, spectrum

REQUEST_TIMEOUT_S = 10.0
DATES = 60  # distinct departure dates `{date}` cycles over
MAX_IN_FLIGHT = 5_000  # past this the server is not answering at all: stop sending


class Sample(msgspec.Struct, frozen=True):
    """One request: seconds since the run started (intended and actual send, answer)."""

    intended: float
    sent: float
    done: float
    status: int  # 0: no HTTP answer (timeout, connection error)
    slowest_connector_ms: float | None = None  # max meta.connectors[].latency_ms of a search
    took_ms: float | None = None  # meta.took_ms: the handler's own time (bench/cold_tail_ab.py)

    @property
    def latency_ms(self) -> float:
        return (self.done - self.intended) * 1000

    @property
    def lag_ms(self) -> float:
        return (self.sent - self.intended) * 1000


def schedule(
    rate: float, duration_s: float, *, poisson: bool = False, seed: int = 1
) -> list[float]:
    """Intended send times (seconds from the start) of `rate` requests a second for `duration_s`:
    evenly spaced, or with exponential gaps (a Poisson process of the same mean rate)."""
    if rate <= 0 or duration_s <= 0:
        raise ValueError("rate and duration must be positive")
    if not poisson:
        return [i / rate for i in range(round(rate * duration_s))]
    rng = random.Random(seed)
    times: list[float] = []
    at = rng.expovariate(rate)
    while at < duration_s:
        times.append(at)
        at += rng.expovariate(rate)
    return times


class _Meta(msgspec.Struct):
    connectors: list[dict[str, object]] = []
    took_ms: float | None = None


class _Body(msgspec.Struct):
    meta: _Meta | None = None


_body = msgspec.json.Decoder(_Body)


def slowest_connector_ms(body: bytes) -> float | None:
    """The slowest connector's latency a search response reports, or None if it reports none."""
    return search_times(body)[0]


def search_times(body: bytes) -> tuple[float | None, float | None]:
    """(the slowest connector's latency, `meta.took_ms`) a search response reports, in ms."""
    try:
        meta = _body.decode(body).meta
    except msgspec.DecodeError:
        return None, None
    latencies = [c.get("latency_ms") for c in meta.connectors] if meta else []
    numbers = [float(v) for v in latencies if isinstance(v, int | float)]
    return (max(numbers) if numbers else None), (meta.took_ms if meta else None)


async def run(urls: Callable[[int], str], intended: Sequence[float]) -> list[Sample]:
    """GET `urls(i)` at each intended time `intended[i]`; every sample, in send order."""
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    samples: list[Sample] = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        for i, at in enumerate(intended):
            delay = start + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(tasks) >= MAX_IN_FLIGHT:
                break
            task = asyncio.create_task(_one(session, urls(i), start, at, samples))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
    return sorted(samples, key=lambda s: s.intended)


async def _one(
    session: aiohttp.ClientSession, url: str, start: float, at: float, out: list[Sample]
) -> None:
    sent = time.perf_counter() - start
    status, slowest, took = 0, None, None
    try:
        async with session.get(url) as response:
            body = await response.read()
            status = response.status
            if status == 200:
                slowest, took = search_times(body)
    except (aiohttp.ClientError, TimeoutError):
        pass
    out.append(Sample(at, sent, time.perf_counter() - start, status, slowest, took))


def summarize(samples: Sequence[Sample], duration_s: float) -> dict[str, float]:
    """Latency spectrum (from intended send times), answer rate, errors and generator lag."""
    ok = [s for s in samples if s.status == 200]
    figures: dict[str, float] = {
        "sent": len(samples),
        "ok": len(ok),
        "errors": len(samples) - len(ok),
        "achieved_rate": round(len(ok) / duration_s, 2),
    }
    if ok:
        figures.update(spectrum([s.latency_ms for s in ok]))
        figures["lag_p99_ms"] = round(percentile([s.lag_ms for s in samples], 0.99), 2)
    return figures


def expand(url: str, i: int, today: dt.date) -> str:
    """`url` with `{date}` replaced by the `i`-th departure date of the cycle."""
    if "{date}" not in url:
        return url
    return url.replace("{date}", (today + dt.timedelta(days=7 + i % DATES)).isoformat())


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="GET this URL at the arrival rate")
    parser.add_argument("--rate", type=float, default=40.0, help="requests a second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--poisson", action="store_true", help="exponential gaps, not even")
    args = parser.parse_args(argv)
    intended = schedule(args.rate, args.duration, poisson=args.poisson)
    today = today_utc()
    cpu = self_cpu_seconds()
    samples = uvloop.run(run(lambda i: expand(args.url, i, today), intended))
    figures = summarize(samples, args.duration)
    figures["generator_cpu_s"] = round(self_cpu_seconds() - cpu, 2)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
