"""The difference between two benchmark result files, figure by figure.

    python -m bench.compare [OLD.json] [NEW.json] [--all]

Prints a Markdown table: each headline figure in both files, the change, and whether it is
better or worse (throughput and ratios: higher is better; latencies and failures: lower is).
`--all` adds every per-run median and every endpoint of the mixed scenario. Without OLD, the
last committed result (`last_committed`: the newest `make bench` result file git knows in
bench/results/); without NEW, the newest result file there, committed or not.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from bench.report import Result, colds, load

RESULTS = Path(__file__).parent / "results"
# Figures where a larger number is the better one; every other figure is better smaller.
_HIGHER_IS_BETTER = (
    "rps", "per_s", "ratio", "achieved_rate", "requests", "offers", "ok", "scaling",
    "exactly_once",
)  # fmt: skip


def _results(paths: list[Path]) -> list[tuple[str, Path]]:
    """(started_at, path) of each file that is a `make bench` result (others are skipped)."""
    found = []
    for path in paths:
        try:
            found.append((load(path).started_at, path))
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            continue  # another benchmark's JSON (bench.ceiling, usage_cost, …)
    return sorted(found)


def last_committed(folder: Path = RESULTS, *, exclude: Path | None = None) -> Path | None:
    """The newest `make bench` result committed to git in `folder` (by its `started_at`)."""
    listed = subprocess.run(
        ["git", "ls-files", "--", "*.json"], cwd=folder, capture_output=True, text=True
    ).stdout.split()
    paths = [folder / name for name in listed]
    found = [p for _, p in _results(paths) if exclude is None or p.resolve() != exclude.resolve()]
    return found[-1] if found else None


def newest(folder: Path = RESULTS) -> Path | None:
    found = _results(sorted(folder.glob("*.json")))
    return found[-1][1] if found else None


@dataclass(frozen=True)
class Row:
    name: str
    old: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def percent(self) -> float | None:
        if self.change is None or not self.old:
            return None
        return 100.0 * self.change / abs(self.old)

    @property
    def verdict(self) -> str:
        change = self.change
        if change is None or change == 0:
            return ""
        # The figure's own name, not its group's: "booking" holds "ok".
        figure = self.name.rsplit(".", 1)[-1]
        higher = any(word in figure for word in _HIGHER_IS_BETTER)
        return "better" if (change > 0) == higher else "worse"


def _booking(result: Result, *, everything: bool) -> dict[str, float]:
    if (b := result.booking) is None:
        return {}
    figures = {"booking.ratio": b.ratio}
    if b.bare_ratio is not None:
        figures["booking.bare_ratio"] = b.bare_ratio
    keys = ("api_orders_per_s", "bare_orders_per_s", "raw_orders_per_s", "api_p50_ms", "api_p99_ms")
    return figures | {f"booking.{k}": v for k, v in b.median.items() if everything or k in keys}


def headline(result: Result, *, everything: bool = False) -> dict[str, float]:
    """The figures of a result by a stable name, e.g. `ceiling.ratio`, `cold.40/s.p99`."""
    figures: dict[str, float] = {}
    if (c := result.ceiling) is not None:
        figures |= {
            "ceiling.ratio": c.ratio,
            "ceiling.skyfare_rps": c.skyfare_median_rps,
            "ceiling.baseline_rps": c.baseline_median_rps,
        }
    if (cs := result.ceilings) is not None:
        for row in cs.rows:
            figures |= {
                f"ceiling.{row.name}.ratio": row.ratio,
                f"ceiling.{row.name}.skyfare_rps": row.skyfare_median_rps,
                f"ceiling.{row.name}.baseline_rps": row.baseline_median_rps,
            }
            if row.cpu_ratio is not None:
                figures[f"ceiling.{row.name}.cpu_ratio"] = row.cpu_ratio
        if cs.scaling is not None:
            figures["ceiling.scaling_2w_over_1w"] = cs.scaling
    if (bulk := result.bulk) is not None:
        figures |= {f"bulk.{k}": v for k, v in bulk.median.items()}
    cold_keys = (
        "p50",
        "p99",
        "p50_over_slowest_airline_ms",
        "p99_over_slowest_airline_ms",
        "errors",
    )
    for cold in colds(result):  # by rate: an old result's one rate compares with the same now
        figures |= {
            f"cold.{cold.rate:g}/s.{k}": v
            for k, v in cold.median.items()
            if everything or k in cold_keys
        }
    figures |= _booking(result, everything=everything)
    figures |= _notify_and_rss(result)
    if (m := result.mixed) is not None:
        t = m.median_total
        figures |= {
            "mixed.rps": t.rps,
            "mixed.p50": t.p50,
            "mixed.p95": t.p95,
            "mixed.p99": t.p99,
            "mixed.failures": float(t.failures),
        }
        for e in m.median if everything else ():
            for key in ("rps", "p50", "p95", "p99", "failures"):
                figures[f"mixed.{e.method} {e.name}.{key}"] = float(getattr(e, key))
    return figures


def _notify_and_rss(result: Result) -> dict[str, float]:
    figures: dict[str, float] = {}
    if (n := result.notify) is not None:
        notify_keys = ("end_to_end_events_per_s", "relay_events_per_s", "worker_cpu_ms_per_event")
        figures |= {f"notify.{k}": n.median[k] for k in notify_keys if k in n.median}
        figures["notify.exactly_once"] = float(n.exactly_once)
    if (r := result.rss) is not None:
        # pids differ from run to run: the workers by their rank
        for rank, w in enumerate(r.per_worker, 1):
            figures[f"rss.worker{rank}.end_mib"] = w.end_mib
            figures[f"rss.worker{rank}.window_slope_mib_per_min"] = w.window_slope_mib_per_min
        if r.l1_bytes is not None:
            figures["rss.l1_bytes"] = r.l1_bytes
    return figures


def diff(old: Result, new: Result, *, everything: bool = False) -> list[Row]:
    """One row per figure in either result, in the order they first appear."""
    a, b = headline(old, everything=everything), headline(new, everything=everything)
    names = list(a) + [name for name in b if name not in a]
    return [Row(name, a.get(name), b.get(name)) for name in names]


def _cell(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:,.2f}{suffix}"


def render(old: Result, new: Result, rows: Sequence[Row]) -> str:
    lines = [
        f"| figure | {old.date} {old.sha} | {new.date} {new.sha} | change | % | |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {_cell(row.old)} | {_cell(row.new)} | {_cell(row.change)} | "
            f"{_cell(row.percent, ' %')} | {row.verdict} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("old", nargs="?", type=Path, help="default: the last committed result")
    parser.add_argument("new", nargs="?", type=Path, help="default: the newest result file")
    parser.add_argument("--all", action="store_true", help="every figure, not just the headline")
    args = parser.parse_args(argv)
    new_path = args.new or newest()
    old_path = args.old or last_committed(exclude=new_path)
    if old_path is None or new_path is None:
        parser.error("no result to compare: give OLD.json and NEW.json")
    old, new = load(old_path), load(new_path)
    print(f"{old_path} → {new_path}\n")
    print(render(old, new, diff(old, new, everything=args.all)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
