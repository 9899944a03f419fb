"""The reports on a terminal (rich tables; plain tab-separated text when not a terminal) and as
PNG plots (matplotlib, Agg: no display needed)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from rich.console import Console
from rich.table import Table

from analytics.reports import NAMES, Report, report
from analytics.store import AnalyticsStore


def print_reports(
    store: AnalyticsStore, since: dt.datetime, until: dt.datetime, out: IO[str]
) -> list[Report]:
    """Every report from `since` to `until` (now), printed to `out`; the reports."""
    # One open of the file for the batch, not one per report: each open of a file another
    # process writes waits for its lock and reads the file's state anew (all reports: 1.8 s
    # against 3.1 s under load, bench/results/2026-12-07-analytics-reports.md), and the
    # reports read one state of the store, so the funnel and the searches agree.
    with store.session():
        reports = [report(store, name, since, until) for name in NAMES]
    console = Console(file=out)
    for found in reports:
        if console.is_terminal:
            table = Table(title=f"{found.title} (since {found.since:%Y-%m-%d %H:%M} UTC)")
            for column in found.columns:
                table.add_column(column)
            for row in found.rows:
                table.add_row(*(_cell(v) for v in row))
            console.print(table)
        else:  # parseable: a `# name` line, a header line, then one tab-separated line a row
            print(f"# {found.name}: {found.title}", file=out)
            print("\t".join(found.columns), file=out)
            for row in found.rows:
                print("\t".join(_cell(v) for v in row), file=out)
            print(file=out)
    return reports


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def write_plots(reports: list[Report], out: Path) -> list[Path]:
    """PNG plots of the reports that have a time axis or a ranking; the files written."""
    # Dates on a categorical axis are meant: its INFO line about them is noise on a terminal.
    logging.getLogger("matplotlib.category").setLevel(logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    by_name = {r.name: r for r in reports}
    written = []
    plots = (
        ("searches", _searches_per_day),
        ("bookings", _bookings),
        ("look_to_book", _look_to_book),
        ("cache", _cache_ratio),
        ("airlines", _airline_latency),
        ("price_accuracy", _price_accuracy),
        ("funnel", _funnel),
    )
    for name, draw in plots:
        found = by_name.get(name)
        if found is None or not found.rows:
            continue
        fig, ax = plt.subplots(figsize=(8, 4.5))
        draw(found, ax)
        ax.set_title(found.title, fontsize=10)
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written


def _searches_per_day(found: Report, ax: Any) -> None:
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for date, channel, count in found.rows:
        if channel is not None:  # a window without searches: its days, no channel
            series[channel][date] = count
    dates = sorted({row[0] for row in found.rows})
    bottom = [0] * len(dates)
    for channel, counts in sorted(series.items()):
        values = [counts.get(d, 0) for d in dates]
        ax.bar(dates, values, bottom=bottom, label=channel)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("searches")
    ax.legend()


def _bookings(found: Report, ax: Any) -> None:
    routes = [row[0] for row in found.rows]
    ax.bar(routes, [row[2] for row in found.rows], label="holds", color="#c8d6e5")
    ax.bar(routes, [row[1] for row in found.rows], label="bookings (ticketed)")
    ax.set_ylabel("orders")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend()


def _look_to_book(found: Report, ax: Any) -> None:
    booked = [row for row in found.rows if row[3] is not None]
    ax.bar([row[0] for row in booked], [float(row[3]) for row in booked])
    ax.set_ylabel("searches per booking")
    ax.tick_params(axis="x", labelrotation=30)
    if len(booked) < len(found.rows):  # routes searched but never booked have no ratio
        ax.set_xlabel(f"{len(found.rows) - len(booked)} searched route(s) without a booking")


def _cache_ratio(found: Report, ax: Any) -> None:
    dates = [row[0] for row in found.rows]
    # A day without searches has no ratio (null): a gap in the line, not a fall to 0.
    ratios = [float("nan") if row[3] is None else float(row[3]) for row in found.rows]
    ax.plot(dates, ratios, marker="o")
    ax.set_ylim(0, 1)
    ax.set_ylabel("hit ratio (traveler searches)")


def _airline_latency(found: Report, ax: Any) -> None:
    names = [row[0] for row in found.rows]
    ax.bar(names, [row[3] for row in found.rows], label="p95")
    ax.bar(names, [row[2] for row in found.rows], label="p50")
    ax.set_ylabel("ms")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend()


def _price_accuracy(found: Report, ax: Any) -> None:
    labels = [f"{row[0]}\n{row[1]}/{row[2]}" for row in found.rows]
    ax.bar(labels, [float(row[5]) for row in found.rows])
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of prices that held")
    ax.tick_params(axis="x", labelsize=7)


def _funnel(found: Report, ax: Any) -> None:
    ax.bar([row[0] for row in found.rows], [row[1] for row in found.rows])
    ax.set_ylabel("count")
