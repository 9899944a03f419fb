"""Bulk fares: `POST /v1/fares/bulk` with 1000 cached queries, time to its first and last line.

The partner's view over loopback: a blocking socket on the load generator's core sends the
request and reads the chunked NDJSON answer; `first_ms` is when the first body bytes (the first
lines) arrive, `last_ms` when the terminating chunk does, both from the moment the request was
sent. The 1000 queries are `distinct` popular one-way searches (each warmed first with a live
batch, then checked cached), repeated in a fixed shuffled order, as a partner refreshing its
popular routes sends them. Each run sends `requests` batches on one keep-alive connection and
reports their medians; the figure is the median over runs.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import socket
import statistics
import time
import urllib.parse
import urllib.request
from typing import Any

from bench import traffic
from bench.harness_stack import (
    Stack,
    display,
    partner_key,
    reset_sim,
    set_sim_latency,
    sim_airlines,
)
from bench.harness_stack import server_cpu as server_cpu_between
from bench.machine import self_cpu_seconds
from bench.report import Bulk, ToolCpu

QUERIES = 1000
DAYS = 10  # departures today+20 … today+29 of each popular route: 100 distinct searches


def candidates(today: dt.date) -> list[dict[str, Any]]:
    """The distinct searches to warm: each popular route on `DAYS` departure days."""
    return [
        {
            "origin": o,
            "destination": d,
            "departure_date": (today + dt.timedelta(days=20 + n)).isoformat(),
        }
        for o, d in traffic.POPULAR
        for n in range(DAYS)
    ]


def batch(distinct: list[dict[str, Any]], *, queries: int = QUERIES) -> list[dict[str, Any]]:
    """`queries` of the `distinct` searches, repeated, in a fixed shuffled order."""
    repeated = [distinct[i % len(distinct)] for i in range(queries)]
    random.Random(18).shuffle(repeated)
    return repeated


def warm(stack: Stack, key: str, distinct: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Search each distinct query live until it is cached; the queries that are. Every airline
    answers in a fixed 20 ms meanwhile, never failing, so each answer is complete (a partial
    one is not stored); one that still missed its deadline on a busy machine is searched
    again. A route without flights that day has no cheapest fare to index: it is left out."""
    url = stack.url + "/v1/fares/bulk"
    set_sim_latency(stack, dict.fromkeys(sim_airlines(stack), 20.0))
    try:
        todo = distinct
        for _ in range(3):
            _post_lines(url, key, {"queries": todo, "mode": "live"}, timeout_s=120)
            lines = _post_lines(url, key, {"queries": distinct}, timeout_s=30)
            todo = [q for q, line in zip(distinct, lines, strict=True) if line["status"] != "ok"]
            if not todo:
                break
    finally:
        reset_sim(stack)
    cached = [q for q in distinct if q not in todo]
    if len(cached) < len(distinct) // 2:
        raise RuntimeError(f"only {len(cached)} of {len(distinct)} bulk queries are cached")
    return cached


def _post_lines(url: str, key: str, body: object, *, timeout_s: float) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-API-Key": key},
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return [json.loads(line) for line in response.read().splitlines() if line]


def timed_requests(url: str, key: str, body: bytes, count: int) -> list[tuple[float, float]]:
    """(first body bytes, terminating chunk) in ms after sending, for `count` requests sent one
    after the other on one keep-alive connection."""
    split = urllib.parse.urlsplit(url)
    head = (
        f"POST {split.path} HTTP/1.1\r\nHost: {split.netloc}\r\nX-API-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    times = []
    with socket.create_connection((split.hostname, split.port), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            times.append(_one(sock, head + body))
    return times


def _one(sock: socket.socket, request: bytes) -> tuple[float, float]:
    started = time.perf_counter()
    sock.sendall(request)
    data, first = b"", 0.0
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("the server closed the connection mid-answer")
        data += chunk
        end = data.find(b"\r\n\r\n")
        if not first and end >= 0 and len(data) > end + 4:
            if not data.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"bulk fares answered {data[:200]!r}")
            first = time.perf_counter()
        if first and data.endswith(b"\r\n0\r\n\r\n"):
            return (first - started) * 1000, (time.perf_counter() - started) * 1000


def measure(stack: Stack, *, runs: int, requests: int) -> tuple[Bulk, list[str]]:
    """Warm, then `runs` x `requests` timed batches (this process is pinned to the load
    generator's cores already: its socket client runs there)."""
    key = partner_key(stack)
    today = dt.datetime.now(dt.UTC).date()
    cached = warm(stack, key, candidates(today))
    queries, distinct = batch(cached), len(cached)
    url = stack.url + "/v1/fares/bulk"
    body = json.dumps({"queries": queries}, separators=(",", ":")).encode()
    timed_requests(url, key, body, 3)  # warm-up: the partner's key cached, code paths hot
    found: list[dict[str, float]] = []
    wall, own_cpu, server_cpu = time.monotonic(), self_cpu_seconds(), stack.cpu()
    for _ in range(runs):
        times = timed_requests(url, key, body, requests)
        firsts, lasts = [t[0] for t in times], [t[1] for t in times]
        found.append(
            {
                "first_ms": round(statistics.median(firsts), 2),
                "last_ms": round(statistics.median(lasts), 2),
                "first_p90_ms": round(statistics.quantiles(firsts, n=10)[-1], 2),
                "last_p90_ms": round(statistics.quantiles(lasts, n=10)[-1], 2),
            }
        )
    wall = round(time.monotonic() - wall, 2)
    cpu = [
        ToolCpu("bulk client (load generator)", round(self_cpu_seconds() - own_cpu, 2), wall),
        *server_cpu_between(server_cpu, stack.cpu(), wall),
    ]
    median = {k: round(statistics.median(run[k] for run in found), 2) for k in found[0]}
    commands = [
        "KEY=$(.venv/bin/skyfare partners create --name bench --rate 1000000/s)",
        f"# warm: POST /v1/fares/bulk {{'mode': 'live'}} with the {distinct} distinct queries "
        "(the 10 popular routes of bench/traffic.py, departures today+20 … today+29)",
        f"# {runs} runs x {requests} requests, one keep-alive socket (bench/harness_bulk.py), of",
        display(
            [
                "curl",
                "-s",
                url,
                "-H",
                "X-API-Key: $KEY",
                "-H",
                "Content-Type: application/json",
                "-d",
                f"{{queries: the {QUERIES} queries, {distinct} distinct, shuffled (seed 18)}}",
            ]
        ),
    ]
    return (
        Bulk(
            queries=len(queries),
            distinct=distinct,
            requests=requests,
            runs=found,
            median=median,
            cpu=cpu,
        ),
        commands,
    )
