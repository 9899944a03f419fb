"""`skyfare analytics` (the consumer; `replay --from <stream id>`) and `skyfare report` (the
reports as tables, plots with `--out`): the analytics side of the command line.

DuckDB and matplotlib are imported only by the commands that use them, so the rest of the CLI
starts without them.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import uvloop

from skyfare.settings import Settings

COMMANDS = ("analytics", "report")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    analytics = commands.add_parser(
        "analytics",
        help="the analytics consumer: usage and order events into DuckDB and daily Parquet",
    )
    actions = analytics.add_subparsers(dest="action")
    replay = actions.add_parser(
        "replay", help="rebuild the store from a stream id on, from what the streams still hold"
    )
    replay.add_argument("--from", dest="from_id", required=True, type=stream_id)
    report = commands.add_parser("report", help="the analytics reports (tables, --out: plots)")
    report.add_argument("--since", default="7d", type=since, help="e.g. 7d, 24h (default 7d)")
    report.add_argument("--out", type=Path, help="write PNG plots into this folder")


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    """One of `COMMANDS`, parsed by the parser `add_commands` extended."""
    from skyfare import analytics_runner

    if args.command == "report":
        return analytics_runner.run_report(settings, args.since, args.out)
    if args.action == "replay":
        loaded = uvloop.run(analytics_runner.replay_from(settings, args.from_id))
        print(f"replayed {loaded} stream entries from {args.from_id}")
        return 0
    uvloop.run(analytics_runner.serve_analytics(settings))
    return 0


# Each part of a Redis stream id is a 64-bit unsigned number; Redis refuses a larger one.
_ID_PART_MAX = 2**64 - 1


def stream_id(text: str) -> str:
    ms, sep, seq = text.partition("-")
    if (
        not (ms.isascii() and ms.isdigit())
        or (sep and not (seq.isascii() and seq.isdigit()))
        or max(int(ms), int(seq or 0)) > _ID_PART_MAX
    ):
        raise argparse.ArgumentTypeError(f"{text!r} is not a stream id (e.g. 1764000000000-0)")
    return f"{int(ms)}-{int(seq or 0)}"


def since(text: str) -> dt.datetime:
    from analytics.reports import parse_since

    found = parse_since(text, dt.datetime.now(dt.UTC))
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a span like 7d or 24h")
    return found
