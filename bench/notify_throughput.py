"""Notification throughput, end to end: outbox rows → relay → stream → worker → SMTP + SMS.

Starts `skyfare sim` (the HTTP sim with its SMS provider, and the SMTP sink) and, per run, one
`skyfare worker`, as real processes on loopback. This process plays the API process: it runs one
`OutboxRelay` (booking/relay.py) over its own schema and inserts `--events` outbox rows of
`order.held` events (each: one email and one SMS) in transactions of `--per-tx` rows, then times
until the sim holds every mail and every SMS. Reports, per run and as medians:

- end to end: events/s from the first insert to the last SMS and mail in the sinks;
- relay: events/s from the first insert until every row is marked published.

Each run uses a fresh stream (and so a fresh consumer group). DATABASE_URL / REDIS_URL are used
when set, else embedded servers under a temporary directory. Writes
`bench/results/<date>-notify-throughput.json` and prints a Markdown summary.

On a shared machine the wall clock moves with the neighbours' load, so a change is measured
against its base in the same run: `--tree base=/path/to/old/checkout --tree this=.` runs the
worker and the sim (SMTP sink, SMS provider) from each source tree in turn (base, this, base,
this, …), the relay, Redis and PostgreSQL shared, and reports each tree's medians and their ratio
to the first tree's.
The worker's CPU per event is reported beside the wall clock: it moves far less with the load.
`--profile DIR` attaches py-spy to each worker and writes a speedscope profile per run (py-spy
costs the worker some time: profile in runs of their own, not in the ones you compare).

    python -m bench.notify_throughput [--events 2000] [--runs 3] [--batch-size 50] [--per-tx 100]
        [--tree LABEL=PATH ...] [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as redis

from booking.events import Contact, Event, OrderSnapshot, encode_event, new_event
from booking.relay import OutboxRelay
from skyfare.embedded import embedded_services
from skyfare.migrations import migrate
from skyfare.settings import Settings

RESULTS = Path(__file__).parent / "results"
TIMEOUT_S = 300.0


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def _process(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`skyfare <args>` from the source tree `cwd` (`-m` puts it first on sys.path)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "skyfare.cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


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


async def _one_run(
    args: argparse.Namespace,
    env: dict[str, str],
    pool: asyncpg.Pool,
    client: redis.Redis,
    sim: Sim,
    sim_pid: int,
    tree: Tree,
) -> dict[str, float]:
    stream = f"bench:{uuid.uuid4().hex[:8]}:events"
    events = [order_event(f"B{i:05d}") for i in range(args.events)]
    rows = [(e.id, e.type, e.order.id, encode_event(e).decode()) for e in events]
    await sim.clear()
    worker_env = {**env, "SKYFARE_EVENT_STREAM": stream}
    relay = OutboxRelay(pool, client, stream, interval_s=0.05)
    with _process(["worker"], worker_env, tree.path) as worker, _profiled(worker.pid, tree):
        await _until(lambda: _group_exists(client, stream))
        relaying = asyncio.create_task(relay.run())
        cpu = (_cpu_s(worker.pid), _cpu_s(sim_pid), time.process_time())
        start = time.perf_counter()
        for i in range(0, len(rows), args.per_tx):
            async with pool.acquire() as conn, conn.transaction():
                await conn.executemany(_INSERT, rows[i : i + args.per_tx])
        inserted = time.perf_counter() - start
        await _until(lambda: _unpublished_is(pool, 0))
        relayed = time.perf_counter() - start
        await _until(lambda: _all_delivered(sim, args.events))
        delivered = time.perf_counter() - start
        worker_cpu, sim_cpu = _cpu_s(worker.pid) - cpu[0], _cpu_s(sim_pid) - cpu[1]
        bench_cpu = time.process_time() - cpu[2]
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
    """An `order.held` event whose traveler has an email and a phone number: two notifications."""
    order = OrderSnapshot(
        id=f"ord_{reference.lower()}",
        booking_reference=reference,
        status="held",
        payment_status="unpaid",
        total_amount=Decimal("612.40"),
        total_currency="USD",
        payment_required_by=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
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


async def _unpublished_is(pool: asyncpg.Pool, count: int) -> bool:
    found = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return bool(found == count)


async def _all_delivered(sim: Sim, count: int) -> bool:
    mails, sms = await sim.counts()
    return mails >= count and sms >= count


async def _cleanup(pool: asyncpg.Pool, client: redis.Redis, stream: str, ids: list[str]) -> None:
    await pool.execute("DELETE FROM outbox")
    keys = [f"notify:sent:{i}:{channel}" for i in ids for channel in ("email", "sms")]
    for start in range(0, len(keys), 1000):
        await client.delete(*keys[start : start + 1000])
    await client.delete(stream, f"{stream}:dead")


async def _bench(
    args: argparse.Namespace,
    settings: Settings,
    sims: dict[str, tuple[dict[str, str], int]],
    trees: list[Tree],
) -> dict[str, list[dict[str, float]]]:
    """Each tree's runs, against the sim run from that tree: {label: (its env, its pid)}."""
    assert settings.database_url is not None
    assert settings.redis_url is not None
    schema = f"bench_notify_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(settings.database_url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5)
    try:
        async with (
            asyncpg.create_pool(
                settings.database_url,
                min_size=1,
                max_size=4,
                server_settings={"search_path": schema},
            ) as pool,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
        ):
            await migrate(pool, timeout=60)
            handles = {}
            for label, (env, _) in sims.items():
                handles[label] = Sim(f"http://127.0.0.1:{env['SKYFARE_SIM_PORT']}", 0, session)
                await handles[label].wait_ready()
            runs: dict[str, list[dict[str, float]]] = {tree.label: [] for tree in trees}
            # Interleaved (base, this, base, this, …): a change in the machine's load hits both.
            for number in range(1, args.runs + 1):
                for tree in trees:
                    env, sim_pid = sims[tree.label]
                    sim = handles[tree.label]
                    run = await _one_run(args, env, pool, client, sim, sim_pid, tree)
                    print(f"run {number} {tree.label}: {json.dumps(run)}", flush=True)
                    runs[tree.label].append(run)
            return runs
    finally:
        await client.aclose()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


FIGURES = (
    "end_to_end_events_per_s",
    "relay_events_per_s",
    "worker_cpu_ms_per_event",
    "sim_cpu_ms_per_event",
)


def _summary(
    args: argparse.Namespace, trees: list[Tree], runs: dict[str, list[dict[str, float]]]
) -> dict[str, Any]:
    medians = {
        label: {key: round(statistics.median(run[key] for run in found), 3) for key in FIGURES}
        for label, found in runs.items()
    }
    first = medians[trees[0].label]
    summary: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "command": "python -m bench.notify_throughput " + " ".join(sys.argv[1:]),
        "events": args.events,
        "worker_batch_size": args.batch_size,
        "per_tx": args.per_tx,
        "trees": {tree.label: str(tree.path) for tree in trees},
        "medians": medians,
        # Each tree's median over the first tree's: > 1 is faster for events/s, cheaper < 1 for CPU.
        "ratios_to_first": {
            label: {key: round(m[key] / first[key], 3) if first[key] else 0.0 for key in FIGURES}
            for label, m in medians.items()
        },
        "runs": runs,
    }
    return summary


def _trees(args: argparse.Namespace) -> list[Tree]:
    specs = args.tree or [f"this={Path(__file__).parent.parent}"]
    trees = []
    for spec in specs:
        label, _, path = spec.partition("=")
        profile = Path(args.profile) if args.profile else None
        trees.append(Tree(label, Path(path or ".").resolve(), profile))
    return trees


def _table(summary: dict[str, Any]) -> str:
    lines = [
        "| tree | end to end (events/s) | ratio | worker CPU (ms/event) | ratio "
        "| sim CPU (ms/event) | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, m in summary["medians"].items():
        r = summary["ratios_to_first"][label]
        lines.append(
            f"| {label} | {m['end_to_end_events_per_s']} | {r['end_to_end_events_per_s']} "
            f"| {m['worker_cpu_ms_per_event']} | {r['worker_cpu_ms_per_event']} "
            f"| {m['sim_cpu_ms_per_event']} | {r['sim_cpu_ms_per_event']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="runs per tree")
    parser.add_argument("--batch-size", type=int, default=50, help="SKYFARE_NOTIFY_BATCH_SIZE")
    parser.add_argument("--per-tx", type=int, default=100, help="outbox rows per transaction")
    parser.add_argument(
        "--tree", action="append", help="LABEL=PATH: run the worker from this source tree"
    )
    parser.add_argument("--profile", help="write a py-spy speedscope profile per run here")
    args = parser.parse_args()
    trees = _trees(args)
    with tempfile.TemporaryDirectory(prefix="skyfare-bench-") as tmp:
        configured = Settings(
            data_dir=tmp,
            database_url=os.environ.get("DATABASE_URL"),
            redis_url=os.environ.get("REDIS_URL"),
        )
        with embedded_services(configured) as settings:
            assert settings.redis_url is not None
            env = {
                **os.environ,
                "REDIS_URL": settings.redis_url,
                "SKYFARE_DATA_DIR": tmp,
                "SKYFARE_LOG_LEVEL": "WARNING",
                "SKYFARE_NOTIFY_BATCH_SIZE": str(args.batch_size),
                "SKYFARE_NOTIFY_METRICS_PORT": "0",
            }
            # One sim per tree, run from that tree: the SMTP sink and SMS provider are part of
            # what the end-to-end figure measures, and may have changed too.
            with contextlib.ExitStack() as stack:
                sims = {}
                for tree in trees:
                    tree_env = {
                        **env,
                        "SKYFARE_SIM_PORT": str(_free_port()),
                        "SKYFARE_SIM_SMTP_PORT": str(_free_port()),
                    }
                    sim = stack.enter_context(_process(["sim"], tree_env, tree.path))
                    sims[tree.label] = (tree_env, sim.pid)
                runs = asyncio.run(_bench(args, settings, sims, trees))
    summary = _summary(args, trees, runs)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{summary['date']}-notify-throughput.json"
    out.write_bytes(msgspec.json.format(msgspec.json.encode(summary)) + b"\n")
    print(f"\n{args.events} events, medians of {args.runs} runs per tree\n\n{_table(summary)}")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
