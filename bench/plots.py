"""PNG plots of a result (matplotlib, Agg: no display needed): latency and throughput.

python -m bench.plots bench/results/<date>-<sha>.json   # redraws the PNGs beside it
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from bench.issue18 import COLD_TARGET_MS
from bench.report import Result, colds, load

SPECTRUM_KEYS = ("p50", "p75", "p90", "p95", "p99", "p99.9", "max")


def latency(result: Result, path: Path) -> Path:
    figure, (cold_ax, mixed_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    _cold(cold_ax, result)
    _mixed_latency(mixed_ax, result)
    figure.suptitle(f"Skyfare latency, {result.date} {result.sha}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def throughput(result: Result, path: Path) -> Path:
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.5))
    _ceiling(axes[0], result)
    _booking(axes[1], result)
    _mixed_rps(axes[2], result)
    figure.suptitle(f"Skyfare throughput, {result.date} {result.sha}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _empty(ax: Axes, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "not measured", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def _cold(ax: Axes, result: Result) -> None:
    measured = colds(result)
    if not measured:
        _empty(ax, "cold search")
        return
    for cold in measured:
        for index, run in enumerate(cold.runs):
            keys = [k for k in SPECTRUM_KEYS if k in run]
            label = f"{cold.rate:g}/s run {index + 1}"
            ax.plot(keys, [run[k] for k in keys], marker="o", label=label)
    cold = measured[0]  # the airlines are the same at every rate
    slowest = cold.slowest_airline_ms
    ax.axhline(slowest, color="grey", linestyle=":", label=f"slowest airline {slowest:g} ms")
    # The issue's targets, the ones the summary table judges (not the design's looser ones).
    for target, color, name in zip(COLD_TARGET_MS, ("orange", "red"), ("p50", "p99"), strict=True):
        ax.axhline(
            slowest + target,
            color=color,
            linestyle="--",
            label=f"{name} target (+{target:g} ms)",
        )
    rates = ", ".join(f"{c.rate:g}/s" for c in measured)
    ax.set_title(f"cold search, open loop {rates} ({cold.route})")
    ax.set_xlabel("percentile (from intended send time)")
    ax.set_ylabel("ms")
    ax.legend(fontsize="small")


def _mixed_latency(ax: Axes, result: Result) -> None:
    mixed = result.mixed
    if mixed is None:
        _empty(ax, "mixed scenario")
        return
    names = [f"{e.method} {e.name}" for e in mixed.median]
    width = 0.27
    for offset, key in enumerate(("p50", "p95", "p99")):
        values = [getattr(e, key) for e in mixed.median]
        ax.bar([i + (offset - 1) * width for i in range(len(names))], values, width, label=key)
    ax.set_xticks(range(len(names)), names, rotation=25, ha="right", fontsize="small")
    ax.set_yscale("log")
    ax.set_ylabel("ms (log)")
    ax.set_title(f"mixed scenario (locust, {mixed.users} users), per endpoint")
    ax.legend(fontsize="small")


def _ceiling(ax: Axes, result: Result) -> None:
    c = result.ceiling
    if c is None:
        _empty(ax, "ceiling")
        return
    ax.bar([0, 1], [c.skyfare_median_rps, c.baseline_median_rps], color=["tab:blue", "tab:grey"])
    for x, values in ((0, c.skyfare_rps), (1, c.baseline_rps)):
        ax.plot([x] * len(values), values, "k.", label="turns" if x == 0 else None)
    ax.set_xticks([0, 1], ["Skyfare cached\nGET /v1/search", "bare aiohttp\nsame bytes"])
    ax.set_ylabel("requests/s")
    ax.set_title(f"ceiling: ratio {c.ratio:.2f} (target {c.target})")
    ax.legend(fontsize="small")


def _booking(ax: Axes, result: Result) -> None:
    b = result.booking
    if b is None:
        _empty(ax, "booking")
        return
    ax.bar(
        [0, 1],
        [b.median["api_orders_per_s"], b.median["raw_orders_per_s"]],
        color=["tab:blue", "tab:grey"],
    )
    ax.set_xticks([0, 1], ["POST /v1/orders\n(hold)", "raw asyncpg\nsame rows"])
    ax.set_ylabel("orders/s")
    ax.set_title(f"booking: ratio {b.ratio:.2f}, {b.concurrency} concurrent")


def _mixed_rps(ax: Axes, result: Result) -> None:
    mixed = result.mixed
    if mixed is None:
        _empty(ax, "mixed scenario")
        return
    names = [f"{e.method} {e.name}" for e in mixed.median]
    ax.barh(names, [e.rps for e in mixed.median])
    ax.set_xlabel("requests/s")
    ax.tick_params(axis="y", labelsize="small")
    ax.set_title(f"mixed: {mixed.median_total.rps:,.0f} requests/s in all")


def draw(result: Result, stem: Path) -> list[Path]:
    """Both plots, as `<stem>-latency.png` and `<stem>-throughput.png`."""
    return [
        latency(result, stem.with_name(stem.name + "-latency.png")),
        throughput(result, stem.with_name(stem.name + "-throughput.png")),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("result", type=Path)
    args = parser.parse_args(argv)
    for path in draw(load(args.result), args.result.with_suffix("")):
        print(path)


if __name__ == "__main__":
    main()
