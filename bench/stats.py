"""Percentiles and medians for the benchmark figures (pure functions, no I/O).

Percentiles are nearest-rank (the value at rank ⌈q·n⌉ of the sorted sample), as HdrHistogram and
wrk report them: always a latency that some request really had, and never flattering a tail by
interpolating below it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence

# The percentiles every latency distribution is summarised by (0.5 = p50).
SPECTRUM: tuple[float, ...] = (0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of `values` for `q` in [0, 1]; ValueError if `values` is empty."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be within [0, 1], not {q}")
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def spectrum(values: Sequence[float], qs: Iterable[float] = SPECTRUM) -> dict[str, float]:
    """`{"p50": …, "p99": …, "p99.9": …, "max": …}` of `values`, rounded to 0.01."""
    ordered = sorted(values)
    return {percentile_label(q): round(percentile(ordered, q), 2) for q in qs}


def percentile_label(q: float) -> str:
    """0.5 → "p50", 0.999 → "p99.9", 1.0 → "max"."""
    if q >= 1.0:
        return "max"
    return "p" + f"{q * 100:.3f}".rstrip("0").rstrip(".")


def median_of(runs: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The median of each key over `runs` (keys missing from a run are left out of its median)."""
    keys: list[str] = []
    for run in runs:
        keys.extend(key for key in run if key not in keys)
    return {
        key: round(statistics.median(run[key] for run in runs if key in run), 2) for key in keys
    }


def spread(values: Sequence[float]) -> float:
    """(max − min) / median: how much the runs disagreed (0 when they all agree)."""
    middle = statistics.median(values)
    return round((max(values) - min(values)) / middle, 3) if middle else 0.0
