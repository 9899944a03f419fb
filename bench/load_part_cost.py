"""What reading the open Parquet part costs `AnalyticsStore.load`, in one process, in turns.

    PYTHONPATH=. python -m bench.load_part_cost [--turns 6] [--batches 100]

Each turn loads `--batches` one-hit batches into a fresh store (held, as the busy consumer holds
it) with each variant of the insert statements and reads the process's CPU time around them:
as committed (the open part read by a subquery in each insert), with a constant part in place
of the subquery, and with the constant plus one `SELECT open` per batch. Prints ms per batch.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time

import analytics.hits as hits
import analytics.store as store_module
from analytics.rows import empty_rows, usage_rows
from kernel.usage import HitsEvent, SearchEvent, SliceUsage, encode_usage

SUBQUERY = "(SELECT open FROM parquet_parts)"
SEARCH = SearchEvent(at=0.0, channel="get", offers=40, cheapest_amount="123.45", currency="GBP",
    took_ms=0, cache="hit",
    slices=(SliceUsage(origin="LHR", destination="JFK", departure_date="2027-01-03"),))  # fmt: skip


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _statements(constant: bool) -> tuple[dict[str, str], dict[str, str]]:
    def part(sql: str) -> str:
        return sql.replace(SUBQUERY, "1") if constant else sql

    return (
        {table: part(sql) for table, sql in COMMITTED[0].items()},
        {table: part(sql) for table, sql in COMMITTED[1].items()},
    )


COMMITTED = (dict(store_module._INSERTS), dict(hits.INSERTS))
VARIANTS = {"subquery": False, "select+constant": True, "constant": True}


def _turn(variant: str, batches: int, entry: int) -> float:
    inserts, hit_inserts = _statements(VARIANTS[variant])
    store_module._INSERTS.update(inserts)
    hits.INSERTS.update(hit_inserts)
    store = store_module.AnalyticsStore(tempfile.mkdtemp(prefix="skyfare-bench-"))
    store.hold()
    now = time.time()
    started = _cpu()
    for n in range(entry, entry + batches):
        rows = empty_rows()
        event = HitsEvent(search=SEARCH, at=(now + n,), took_ms=(0,))
        usage_rows("u", f"{n}-0", encode_usage(event), rows)
        if variant == "select+constant":
            store.db.execute("SELECT open FROM parquet_parts").fetchall()
        store.load(rows, {"u": f"{n}-0"})
    spent = (_cpu() - started) / batches * 1e3
    store.release()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--batches", type=int, default=100)
    args = parser.parse_args()
    found: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    entry = 1
    for _ in range(args.turns):
        for variant in VARIANTS:
            found[variant].append(_turn(variant, args.batches, entry))
            entry += args.batches
    for variant, spent in found.items():
        turns = ", ".join(f"{ms:.2f}" for ms in spent)
        print(f"{variant}: median {statistics.median(spent):.2f} ms per batch ({turns})")


if __name__ == "__main__":
    main()
