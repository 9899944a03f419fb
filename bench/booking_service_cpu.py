"""PostgreSQL's and the client's CPU per order made by `OrderService.create` (the real booking
core, `POST /v1/orders` without HTTP), two checkouts side by side, alternating turns.

    python -m bench.booking_service_cpu --database-url "$DATABASE_URL" \\
        --trees /path/to/base,/path/to/this [--turns 5] [--orders 40]

Each turn runs every tree once, in a process of its own (`PYTHONPATH=<tree>`, cwd the tree: that
checkout's booking code), the order of the trees reversed every turn. A process writes, for 16
owners in turn, `orders` holds each, and before every 201 one attempt whose re-price the airline
refuses (a 409, as the benchmark sees about one per 201), each with a fresh Idempotency-Key, with
the benchmark's limits (bench/booking_pg_cpu.py's `BENCH_LIMITS`) and an in-process airline that
answers at once (tests/fakes.py's `FakeConnector`). Its pool has one connection, so one backend:
`bench/booking_pg_cpu.py`'s `Meter` reads the backend's `/proc/<pid>/schedstat` and this
process's CPU around every statement; `process` is the whole run's CPU of this process (the
service's Python, asyncpg and the fake airline), per order made.

The tool must be importable from every tree: copy this file, bench/booking_pg_cpu.py (its
`metered`) and bench/trees.py into the base checkout's `bench/`, so both sides are metered by the
same code.
`--pythons A,B` instead: one tree (`--trees`, default this checkout) under each interpreter in
turn (two venvs' `bin/python`), the first the base: the same code on two CPython releases.
The database needs the migrated schema of the newest tree; the rows stay, under owners of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Sequence

import asyncpg
import msgspec

from bench import booking_pg_cpu as pgcpu
from bench.trees import alternating
from bench.trees import one_side as run_one_side
from booking.idempotency import PgIdempotencyStore, fingerprint
from booking.model import CreateOrderRequest
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.service import OrderService
from connectors import errors
from connectors.model import PricedOffer
from kernel.auth import Principal
from kernel.errors import Conflict
from tests.fakes import FakeConnector, offer
from tests.support.orders import ADA

OFFER = offer("612.40")


class RefusingAirline(FakeConnector):
    """Answers at once; the re-price after `refuse_next()` is refused (sold out: a 409)."""

    def __init__(self) -> None:
        super().__init__(offers=[OFFER])
        self._refuse = False

    def refuse_next(self) -> None:
        self._refuse = True

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        if self._refuse:
            self._refuse = False
            raise errors.SoldOut("sold out")
        return await super().price(supplier_offer_id, timeout=timeout)


async def run_service(
    pool: asyncpg.Pool, owners: int, orders: int, *, refused_only: bool = False
) -> int:
    """For each of `owners` in turn, `orders` times: an attempt whose re-price is refused (409),
    then an order (201) — or, `refused_only`, the 409's attempt alone. Returns the rounds made."""
    db = Database(pool, timeout_s=30.0)
    airline = RefusingAirline()
    service = OrderService(
        PgOrderRepository(db), PgIdempotencyStore(db, lease_s=30.0), {"fake": airline},
        price_timeout_s=5.0, hold_timeout_s=5.0, limits=pgcpu.BENCH_LIMITS,
    )  # fmt: skip
    request = CreateOrderRequest(offer_id=OFFER.id, passengers=(ADA,))
    fp = fingerprint("POST", "/v1/orders", msgspec.to_builtins(request))
    run = f"bench-service-{uuid.uuid4().hex[:8]}"
    for _ in range(orders):
        for o in range(owners):
            owner = Principal(f"{run}-{o}")
            airline.refuse_next()
            try:
                await service.create(owner, uuid.uuid4().hex, request, fp)
                raise RuntimeError("the refused re-price was answered 2xx")
            except Conflict:
                pass
            if refused_only:
                continue
            answer = await service.create(owner, uuid.uuid4().hex, request, fp)
            if answer.status != 201:
                raise RuntimeError(f"no order: {answer}")
    return owners * orders


async def one_side(url: str, owners: int, orders: int) -> dict[str, object]:
    pgcpu.Meter.install()
    made_ns: list[int] = []

    async def run(pool: asyncpg.Pool, owners: int, orders: int) -> int:
        started = time.process_time_ns()
        made = await run_service(pool, owners, orders)
        made_ns.append(time.process_time_ns() - started)  # the last: the metered run's
        return made

    meter, made = await pgcpu.metered(url, run, owners, orders)
    return {
        "pg_us": sum(meter.server_ns.values()) / made / 1000,
        "client_us": sum(meter.client_ns.values()) / made / 1000,
        "process_us": made_ns[-1] / made / 1000,
        "statements": sum(meter.calls.values()) / made,
        "table": pgcpu.report("per statement", meter, made),
    }


def sides(trees: str | None, pythons: str | None) -> dict[str, tuple[str, str]]:
    """Each side's label and its (tree, interpreter): every tree under this interpreter, or one
    tree under every interpreter of `pythons`; the first side is the base."""
    if not pythons:
        if not trees:
            raise ValueError("--trees is required")
        return {tree: (tree, sys.executable) for tree in trees.split(",")}
    tree = trees or os.getcwd()
    if "," in tree:
        raise ValueError("--pythons compares one tree")
    return {python: (tree, python) for python in pythons.split(",")}


def run_tree(tree: str, python: str, args: argparse.Namespace) -> dict[str, float]:
    options = ["--database-url", args.database_url, "--owners", str(args.owners),
               "--orders", str(args.orders)]  # fmt: skip
    return run_one_side("bench.booking_service_cpu", tree, options, python=python)


def _shown(r: dict[str, float]) -> str:
    return (f"PG {r['pg_us']:.0f} µs/order, client (statements) {r['client_us']:.0f},"
            f" process {r['process_us']:.0f}, {r['statements']:.2f} statements/order")  # fmt: skip


def compare(args: argparse.Namespace) -> None:
    by_label = sides(args.trees, args.pythons)
    trees = list(by_label)
    rows = alternating(trees, args.turns, lambda t: run_tree(*by_label[t], args), _shown)
    print("\n| tree | statements/order | PG µs/order → median | client µs/order (around"
          " statements) → median | process CPU µs/order → median |")  # fmt: skip
    print("|---|---|---|---|---|")
    for tree, turns in rows.items():
        cells = [
            ", ".join(f"{r[k]:.0f}" for r in turns)
            + f" → **{statistics.median(r[k] for r in turns):.0f}**"
            for k in ("pg_us", "client_us", "process_us")
        ]
        print(f"| {tree} | {turns[0]['statements']:.2f} | " + " | ".join(cells) + " |")
    base = trees[0]
    for tree in trees[1:]:
        cells = []
        for k in ("pg_us", "client_us", "process_us"):
            ratios = [r[k] / b[k] for r, b in zip(rows[tree], rows[base], strict=True)]
            turns = ", ".join(f"{x:.2f}" for x in ratios)
            cells.append(f"{turns} → **{statistics.median(ratios):.2f}**")
        print(f"| {tree} ÷ {base}, per turn | | " + " | ".join(cells) + " |")
    for tree, turns in rows.items():
        print(f"\n### {tree}, last turn\n\n{turns[-1]['table']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--trees", help="comma-separated checkouts; the first is the base")
    parser.add_argument("--pythons", help="comma-separated interpreters for one tree, base first")
    parser.add_argument("--owners", type=int, default=16)
    parser.add_argument("--orders", type=int, default=40, help="per owner")
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--one-side", action="store_true", help="(internal) measure this tree")
    args = parser.parse_args(argv)
    if args.one_side:
        result = asyncio.run(one_side(args.database_url, args.owners, args.orders))
        print(json.dumps(result))
    elif args.trees or args.pythons:
        try:
            sides(args.trees, args.pythons)
        except ValueError as exc:
            parser.error(str(exc))
        compare(args)
    else:
        parser.error("--trees or --pythons is required")


if __name__ == "__main__":
    main()
