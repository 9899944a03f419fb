"""Instructions the booking core's client side executes per order made, counted by callgrind
(free of a busy machine's noise), for several checkouts: the whole of `OrderService.create`
as `bench/booking_service_cpu.py` drives it (one 409 and one 201 per order made, one pool
connection, uvloop as the API worker runs it), and its PostgreSQL steps one by one.

    python -m bench.booking_client_callgrind --database-url "$DATABASE_URL" \\
        --trees /path/to/base,/path/to/this [--orders 5] [--runs 1000]

Steps: `connection` (an acquire and release through `Database.connection()`), `look_up` (the
Idempotency-Key's read, key free), `create_held` (the order's insert with the key's claim and
the limits, then `pending → held` with its stored answer, as after the airline's hold). Each
runs `--runs` times to warm up, then `--runs` times counted (`callgrind_control -i on/off`, as
`bench.ceiling_callgrind`). A child runs with `PYTHONPATH=<tree>`, cwd the tree; copy this file,
bench/callgrind_steps.py and bench/booking_service_cpu.py into a base checkout that lacks them.
"""

from __future__ import annotations

import argparse
import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import msgspec

from bench.callgrind_steps import add_step_options, ran_child, step_counted
from bench.ceiling_callgrind import driven

STEPS = ("service", "connection", "look_up", "create_held")
# How asyncpg's cost of binding depends on the parameters' shape, one statement on one
# connection (no pool): a passenger as seven one-element arrays or as one JSON array, and seven
# empty arrays or seven NULLs (`--steps bind_arrays,bind_json,bind_empty,bind_nulls`).
BIND_STEPS = ("bind_arrays", "bind_json", "bind_empty", "bind_nulls")
_KINDS = ["text"] * 3 + ["date"] + ["text"] * 3  # Passenger's fields
_SEVEN_ARRAYS = "SELECT " + ", ".join(f"cardinality(${n}::{k}[])" for n, k in enumerate(_KINDS, 1))
_SEVEN_NULLS = "SELECT " + ", ".join(f"${n}::text IS NULL" for n in range(1, 8))


async def _steps(pool: asyncpg.Pool, url: str) -> dict[str, Callable[[], Awaitable[object]]]:
    from bench import booking_service_cpu as service
    from bench.booking_pg_cpu import BENCH_LIMITS, mark_held
    from booking.idempotency import PgIdempotencyStore, fingerprint
    from booking.pg import Database
    from booking.repository import PgOrderRepository
    from tests.support.orders import ADA, new_order

    db = Database(pool, timeout_s=30.0)
    keys, repository = PgIdempotencyStore(db, lease_s=30.0), PgOrderRepository(db)
    fp = fingerprint("POST", "/v1/orders", {"offer_id": "off_bench"})
    run, owners = f"bench-cg-{uuid.uuid4().hex[:8]}", itertools.cycle(range(16))

    async def connection() -> None:
        async with db.connection():
            pass

    async def look_up() -> object:
        return await keys.look_up(run, uuid.uuid4().hex, fp)

    async def create_held() -> None:
        owner, key = f"{run}-{next(owners)}", uuid.uuid4().hex
        claim = keys.new_key(owner, key, fp)
        order = await repository.create(
            new_order(owner), actor=owner, limits=BENCH_LIMITS, claim=claim
        )
        await mark_held(repository, order, owner, key)

    async def one_order() -> int:  # 16 owners, one order each: divided by 16 below
        return await service.run_service(pool, 16, 1)

    conn = await asyncpg.connect(url)  # the bind steps' own: the pool keeps its one connection
    seven = [[value] for value in msgspec.structs.astuple(ADA)]
    as_json = msgspec.json.encode([ADA]).decode()
    return {
        "service": one_order, "connection": connection, "look_up": look_up,
        "create_held": create_held,
        "bind_arrays": lambda: conn.fetchrow(_SEVEN_ARRAYS, *seven),
        "bind_json": lambda: conn.fetchrow("SELECT jsonb_array_length($1::jsonb)", as_json),
        "bind_empty": lambda: conn.fetchrow(_SEVEN_ARRAYS, *[[]] * 7),
        "bind_nulls": lambda: conn.fetchrow(_SEVEN_NULLS, *[None] * 7),
    }  # fmt: skip


async def _child(url: str, step: str, runs: int) -> None:
    from skyfare.postgres import StatelessConnection

    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=1, connection_class=StatelessConnection
    )
    call = (await _steps(pool, url))[step]
    await driven(call, runs)


def count(tree: str, url: str, step: str, runs: int) -> float:
    module = "bench.booking_client_callgrind"
    per_run = step_counted(module, step, url, runs, label=f"{tree} {step}", tree=tree)
    return per_run / 16 if step == "service" else per_run


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_step_options(
        parser,
        STEPS,
        orders_help="`service`: rounds of 16 orders",
        runs_help="the other steps' runs",
    )
    parser.add_argument("--trees", default=".")
    args = parser.parse_args(argv)
    if ran_child(args, _child):
        return
    trees, steps = args.trees.split(","), args.steps.split(",")
    print("| step | " + " | ".join(trees) + " |")
    print("|---|" + "---|" * len(trees))
    for step in steps:
        runs = args.orders if step == "service" else args.runs
        cells = [f"{count(tree, args.database_url, step, runs):,.0f}" for tree in trees]
        print(f"| {step} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
