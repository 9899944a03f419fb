"""The analytics consumer's CPU per cached search, apart from the rate: `AnalyticsStore.load` of
`hits` entries (kernel/usage.py `HitsEvent`) of several sizes, this tree against another
checkout, in alternating turns.

    python -m bench.hits_load_ab --old-tree /tmp/base [--turns 5] [--batches 30] [--json FILE]

Each turn runs, in a fresh Python with each tree first on PYTHONPATH, `--batches` loads of one
hits entry per size into a fresh DuckDB file (held, as the busy consumer holds it) and reads
the process's CPU time around them: ms per batch, and µs per hit. A line fitted through the
sizes splits it into a cost per batch and a cost per hit, the consumer's CPU per second being
batches/s × the first + hits/s × the second (plus its file's reopening every HOLD_S).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

SIZES = (1, 100, 350, 1200, 2400)
_CHILD = """
import json, resource, sys, tempfile, time
from analytics.rows import empty_rows, usage_rows
from analytics.store import AnalyticsStore
from kernel.usage import HitsEvent, SearchEvent, SliceUsage, encode_usage

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

sizes, batches = json.loads(sys.argv[1]), int(sys.argv[2])
search = SearchEvent(at=0.0, channel="get", offers=40, cheapest_amount="123.45",
    currency="GBP", took_ms=0, cache="hit",
    slices=(SliceUsage(origin="LHR", destination="JFK", departure_date="2027-01-03"),))
now, entry, found = time.time(), 0, {}
for size in sizes:
    store = AnalyticsStore(tempfile.mkdtemp(prefix="skyfare-bench-"))
    store.hold()
    took = (0,) * size
    started = cpu()
    for _ in range(batches):
        entry += 1
        at = tuple(now + entry + n * 1e-4 for n in range(size))
        rows = empty_rows()
        usage_rows("u", f"{entry}-0", encode_usage(HitsEvent(search=search, at=at, took_ms=took)),
                   rows)
        store.load(rows, {"u": f"{entry}-0"})
    found[size] = (cpu() - started) / batches * 1e3
    store.release()
print(json.dumps(found))
"""


def run(tree: str, batches: int) -> dict[int, float]:
    env = {**os.environ, "PYTHONPATH": tree}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(SIZES), str(batches)],
        env=env, cwd=tree, capture_output=True, text=True, check=True, timeout=600,
    ).stdout  # fmt: skip
    return {int(size): ms for size, ms in json.loads(out).items()}


def fit(ms_per_batch: dict[int, float]) -> tuple[float, float]:
    """(ms per batch, µs per hit): least squares through the sizes."""
    slope, intercept = statistics.linear_regression(list(ms_per_batch), list(ms_per_batch.values()))
    return round(intercept, 2), round(slope * 1e3, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--old-tree", required=True)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    trees = {"base": args.old_tree, "this": str(Path(__file__).resolve().parent.parent)}
    turns: dict[str, list[dict[int, float]]] = {side: [] for side in trees}
    for turn in range(args.turns):
        order = list(trees) if turn % 2 == 0 else list(reversed(trees))
        for side in order:
            turns[side].append(run(trees[side], args.batches))
    medians = {
        side: {size: round(statistics.median(t[size] for t in found), 2) for size in SIZES}
        for side, found in turns.items()
    }
    summary = {
        "command": "python -m bench.hits_load_ab " + " ".join(sys.argv[1:]),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "ms_per_batch_median": medians,
        "us_per_hit_median": {
            side: {size: round(ms / size * 1e3, 2) for size, ms in m.items()}
            for side, m in medians.items()
        },
        "fit_ms_per_batch_us_per_hit": {side: fit(m) for side, m in medians.items()},
        "turns": turns,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "turns"}, indent=1))


if __name__ == "__main__":
    main()
