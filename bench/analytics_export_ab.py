"""The analytics consumer's CPU per Parquet export on a busy day, this tree against another
checkout (one that rewrote each touched day whole), in alternating turns.

    git archive <old commit> | tar -x -C /tmp/export-base
    python -m bench.analytics_export_ab --old-tree /tmp/export-base [--rows 2400000] [--turns 3]

Each turn runs, in a fresh Python with each tree first on PYTHONPATH, one store: a day of
`--rows` search rows (and 0.3 airline calls per search, what misses add) already exported, held
open as the busy consumer holds it; then rounds of `--new-rows` searches (30 s of a 2.4 M-search
day is ~830) loaded by SQL and exported as the consumer does every 30 s (the old tree's
`export_days([day])`, this tree's `export(today)`), reading the process's CPU time
(`getrusage`, DuckDB's thread included) around each export. This tree's rounds run past the
level merges (8 and 64 parts); its last figure is the day settling once it is over.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_CHILD = """
import datetime as dt, json, resource, sys, tempfile
from analytics.store import AnalyticsStore

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

rows, new, rounds = map(int, sys.argv[1:4])
day = dt.date(2026, 12, 5)
midnight = 1764892800000  # 2026-12-05T00:00Z in ms
store = AnalyticsStore(tempfile.mkdtemp(prefix="skyfare-bench-export-"))
store.hold()
store.db.execute("SET enable_progress_bar = false")  # the old tree's writer draws it on stdout
parts = "part" in {c for (c,) in store.db.execute(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'searches'").fetchall()}
part = ", (SELECT open FROM parquet_parts)" if parts else ""
part_col = ", part" if parts else ""
ORIGIN = "['LHR', 'FRA', 'CDG', 'AMS', 'MAD'][i % 5 + 1]"
DESTINATION = "['JFK', 'SFO', 'BOS', 'ORD'][i % 4 + 1]"
step = 86_400_000 // (rows + rounds * new + 1)  # the day's entries spread over its ms

def insert(first, count):
    ms = f"({midnight} + i * {step})"
    s = (f"SELECT 'skyfare:usage' AS stream, ({ms} || '-0.0') AS stream_id, {ms} AS ms, 0 AS seq, "
         f"make_timestamp({ms} * 1000) AS occurred_at, DATE '{day}' AS date, i "
         f"FROM range({first}, {first + count}) t(i)")
    store.db.execute(
        "INSERT INTO searches (stream, stream_id, ms, seq, occurred_at, date, channel, partner, "
        "origin, destination, route, slices, departure_date, adults, children, infants, cabin, "
        f"offers, cheapest_amount, currency, took_ms, cache, traveler_hash{part_col}) "
        "SELECT stream, stream_id, ms, seq, occurred_at, date, "
        "['get', 'post', 'partner'][i % 3 + 1], CASE WHEN i % 3 = 2 THEN 'acme' END, "
        f"{ORIGIN}, {DESTINATION}, {ORIGIN} || '-' || {DESTINATION}, "
        "1 + i % 2, '2027-01-' || lpad(CAST(1 + i % 28 AS VARCHAR), 2, '0'), 1 + i % 3, i % 2, 0, "
        "'economy', CAST(hash(i) % 60 AS INTEGER), CAST(hash(i) % 200000 AS DECIMAL(18,2)) / 100, "
        "'USD', CAST(hash(i * 7) % 900 AS INTEGER), "
        "['hit', 'hit', 'hit', 'miss', 'stale'][i % 5 + 1], "
        f"CASE WHEN i % 10 = 0 THEN md5(CAST(i % 5000 AS VARCHAR)) END{part} FROM ({s})")
    store.db.execute(
        "INSERT INTO connector_calls (stream, stream_id, ms, seq, occurred_at, date, connector, "
        f"status, offers, latency_ms, channel{part_col}) "
        "SELECT stream, stream_id, ms, seq, occurred_at, date, "
        "['rest-liberty', 'soap-nordic', 'ndc-crimson'][i % 3 + 1], "
        "CASE WHEN hash(i) % 50 = 0 THEN 'timeout' ELSE 'ok' END, CAST(hash(i) % 40 AS INTEGER), "
        f"CAST(hash(i * 3) % 800 AS INTEGER), ['get', 'post', 'partner'][i % 3 + 1]{part} "
        f"FROM ({s}) WHERE i % 10 < 3")

def export():
    if parts:
        store.export(day)
    else:
        store.export_days([day])

insert(0, rows)
store.export_days([day])  # the day so far, exported (this tree: as one file)
found = []
for n in range(rounds):
    insert(rows + n * new, new)
    started = cpu()
    export()
    found.append(cpu() - started)
settle = None
if parts:  # the next day's first export: the day is over, its files become one
    started = cpu()
    store.export(day + dt.timedelta(days=1))
    settle = cpu() - started
store.release()
print(json.dumps({"exports_s": found, "settle_s": settle, "parts": parts,
                  "store": AnalyticsStore.__module__ and sys.modules["analytics.store"].__file__}))
"""


def run(tree: str, rows: int, new: int, rounds: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": tree}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(rows), str(new), str(rounds)],
        env=env,
        cwd=tree,  # `-c` puts the working directory first on sys.path, before PYTHONPATH
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: dict[str, object] = json.loads(out)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old-tree", required=True)
    parser.add_argument("--new-tree", default=os.getcwd())
    parser.add_argument("--rows", type=int, default=2_400_000)
    parser.add_argument("--new-rows", type=int, default=830)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--old-rounds", type=int, default=12)
    parser.add_argument("--new-rounds", type=int, default=72)
    parser.add_argument("--json")
    args = parser.parse_args()
    turns = []
    for turn in range(args.turns):
        old = run(args.old_tree, args.rows, args.new_rows, args.old_rounds)
        new = run(args.new_tree, args.rows, args.new_rows, args.new_rounds)
        turns.append({"old": old, "new": new})
        assert not old["parts"], old["store"]  # each side ran its own tree's store
        assert new["parts"], new["store"]
        old_s, new_s = old["exports_s"], new["exports_s"]
        assert isinstance(old_s, list)
        assert isinstance(new_s, list)
        print(
            f"turn {turn + 1} rows {args.rows}: old median {statistics.median(old_s) * 1e3:.1f} ms "
            f"mean {statistics.mean(old_s) * 1e3:.1f}; new median "
            f"{statistics.median(new_s) * 1e3:.1f} ms mean {statistics.mean(new_s) * 1e3:.1f} "
            f"max {max(new_s) * 1e3:.1f}; new settle {float(new['settle_s'] or 0) * 1e3:.0f} ms",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"args": vars(args), "turns": turns}, out)


if __name__ == "__main__":
    main()
