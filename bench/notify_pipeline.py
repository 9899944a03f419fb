"""One measured run of the notification pipeline: `order.held` rows into the outbox, the relay
to a fresh stream, one `skyfare worker` (run from a given source tree) to the sim's SMTP sink and
SMS provider; timed until every row is published and every mail and SMS has arrived, with the
CPU the worker and the sim used meanwhile. bench/notify_throughput.py runs it, tree by tree."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as redis

from bench.machine import cpu_seconds, move_process
from bench.processes import process_group
from booking.events import (
    Contact,
    Event,
    FlightNote,
    OrderSnapshot,
    PassengerNote,
    encode_event,
    new_event,
)
from booking.relay import OutboxRelay, published_marker

TIMEOUT_S = 300.0


def skyfare(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """`skyfare <args>` from the source tree `cwd` (`-m` puts it first on sys.path)."""
    return process_group(
        [sys.executable, "-m", "skyfare.cli", *args],
        env,
        cwd=cwd,
        stop=signal.SIGTERM,
        stop_timeout_s=15,
    )


class Sim:
    def __init__(self, url: str, smtp_port: int, session: aiohttp.ClientSession) -> None:
        self.url, self.smtp_port, self._session = url, smtp_port, session

    async def counts(self) -> tuple[int, int]:
        mails = await self._get("/_sim/smtp/messages?limit=0")
        sms = await self._get("/_sim/sms/messages?limit=0")
        return int(mails["count"]), int(sms["count"])

    async def clear(self) -> None:
        for path in ("/_sim/smtp/messages", "/_sim/sms/messages"):
            async with self._session.delete(self.url + path) as response:
                response.raise_for_status()

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                await self.counts()
                return
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)

    async def _get(self, path: str) -> dict[str, Any]:
        async with self._session.get(self.url + path) as response:
            response.raise_for_status()
            answer: dict[str, Any] = await response.json()
            return answer


class Tree(msgspec.Struct, frozen=True):
    """A source tree the worker runs from, and where its profiles go (None: no profile)."""

    label: str
    path: Path
    profile: Path | None = None


async def one_run(
    args: argparse.Namespace,
    env: dict[str, str],
    pool: asyncpg.Pool,
    client: redis.Redis,
    sim: Sim,
    sim_pid: int,
    tree: Tree,
    *,
    worker_cores: list[int] | None = None,
) -> dict[str, float]:
    """One run; `worker_cores`: pin the worker there (the harness: the server's cores)."""
    stream = f"bench:{uuid.uuid4().hex[:8]}:events"
    events = [order_event(f"B{i:05d}") for i in range(args.events)]
    rows = [(e.id, e.type, e.order.id, encode_event(e).decode()) for e in events]
    await sim.clear()
    worker_env = {**env, "SKYFARE_EVENT_STREAM": stream}
    relay = OutboxRelay(pool, client, stream, interval_s=0.05)
    with skyfare(["worker"], worker_env, tree.path) as worker, _profiled(worker.pid, tree):
        if worker_cores:
            move_process(worker.pid, worker_cores)
        await _until(lambda: _group_exists(client, stream))
        relaying = asyncio.create_task(relay.run())
        cpu = (cpu_seconds(worker.pid), cpu_seconds(sim_pid), time.process_time())
        start = time.perf_counter()
        for i in range(0, len(rows), args.per_tx):
            async with pool.acquire() as conn, conn.transaction():
                await conn.executemany(_INSERT, rows[i : i + args.per_tx])
        inserted = time.perf_counter() - start
        await _until(lambda: _unpublished_is(pool, 0))
        relayed = time.perf_counter() - start
        await _until(lambda: _all_delivered(sim, args.events))
        delivered = time.perf_counter() - start
        worker_cpu, sim_cpu = cpu_seconds(worker.pid) - cpu[0], cpu_seconds(sim_pid) - cpu[1]
        bench_cpu = time.process_time() - cpu[2]
        # Exactly once: with every entry acked nothing can be sent again, so the sinks' counts
        # are final; more than one message per event and channel is a duplicate.
        await _until(lambda: _all_acked(client, stream))
        mails, sms = await sim.counts()
        relaying.cancel()
    await _cleanup(pool, client, stream, [e.id for e in events])
    return {
        "events": args.events,
        "insert_s": round(inserted, 3),
        "relay_s": round(relayed, 3),
        "end_to_end_s": round(delivered, 3),
        "relay_events_per_s": round(args.events / relayed, 1),
        "end_to_end_events_per_s": round(args.events / delivered, 1),
        # CPU seconds while it ran: where the time goes on a machine this small.
        "worker_cpu_s": round(worker_cpu, 2),
        "sim_cpu_s": round(sim_cpu, 2),
        "relay_and_inserts_cpu_s": round(bench_cpu, 2),
        "worker_cpu_ms_per_event": round(1000 * worker_cpu / args.events, 3),
        "sim_cpu_ms_per_event": round(1000 * sim_cpu / args.events, 3),
        "mails": mails,
        "sms": sms,
    }


@contextmanager
def _profiled(pid: int, tree: Tree) -> Iterator[None]:
    """py-spy records process `pid` while the block runs, when `tree.profile` is set."""
    if tree.profile is None:
        yield
        return
    tree.profile.mkdir(parents=True, exist_ok=True)
    out = tree.profile / f"{tree.label}-{dt.datetime.now():%H%M%S}.speedscope.json"
    spy = subprocess.Popen(
        [Path(sys.executable).with_name("py-spy"), "record", "--pid", str(pid), "--rate", "250",
         "--format", "speedscope", "--output", str(out)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        spy.wait(timeout=60)


def order_event(reference: str) -> Event:
    """An `order.held` event whose traveler has an email and a phone number: two notifications.
    It carries a round trip's flights and its passenger, as a held order's event does since the
    mails list them: their rendering is part of each notification's cost."""
    out, back = dt.datetime(2027, 3, 4, 8, 25), dt.datetime(2027, 3, 11, 18, 40)
    order = OrderSnapshot(
        id=f"ord_{reference.lower()}",
        booking_reference=reference,
        status="held",
        payment_status="unpaid",
        total_amount=Decimal("612.40"),
        total_currency="USD",
        payment_required_by=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        route="LHR-JFK",
        flights=(
            FlightNote("BA117", "LHR", "JFK", out, out + dt.timedelta(hours=5, minutes=55)),
            FlightNote("BA112", "JFK", "LHR", back, back + dt.timedelta(hours=12, minutes=50)),
        ),
        passengers=(PassengerNote("Ada", "Lovelace", "adult"),),
    )
    contact = Contact("Ada", "Lovelace", email="ada@example.com", phone_number="+442071838750")
    return new_event("order.held", order, contact)


_INSERT = "INSERT INTO outbox (event_id, type, order_id, payload) VALUES ($1, $2, $3, $4::jsonb)"


async def _until(check: Any, timeout_s: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done after {timeout_s} s")
        await asyncio.sleep(0.02)


async def _group_exists(client: redis.Redis, stream: str) -> bool:
    return bool(await client.exists(stream)) and bool(await client.xinfo_groups(stream))


async def _all_acked(client: redis.Redis, stream: str) -> bool:
    groups = await client.xinfo_groups(stream)
    return all(g["pending"] == 0 and not g.get("lag") for g in groups)


async def _unpublished_is(pool: asyncpg.Pool, count: int) -> bool:
    found = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return bool(found == count)


async def _all_delivered(sim: Sim, count: int) -> bool:
    mails, sms = await sim.counts()
    return mails >= count and sms >= count


async def _cleanup(pool: asyncpg.Pool, client: redis.Redis, stream: str, ids: list[str]) -> None:
    await pool.execute("DELETE FROM outbox")
    keys = [f"notify:sent:{i}:{channel}" for i in ids for channel in ("email", "sms")]
    # The relay's markers too (a day's TTL each): a run left thousands behind.
    keys += [published_marker(stream, i) for i in ids]
    for start in range(0, len(keys), 1000):
        await client.delete(*keys[start : start + 1000])
    await client.delete(stream, f"{stream}:dead")
