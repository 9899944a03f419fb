"""The command line of the tools that count named steps against PostgreSQL under callgrind, one
child process per step (`bench.booking_client_callgrind`, `bench.booking_pool_callgrind`).

The parent runs `python -m <tool> --child STEP --database-url URL --runs N` under callgrind
(`step_counted`); the child parses the same options (`add_step_options`) and runs the step on
uvloop, as the API worker would (`ran_child`). Both sides of that command line live here, so the
two tools cannot drift apart on it. A child running another checkout's code imports this module
from that checkout: copy it there with the tool.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Sequence

import uvloop

from bench.ceiling_callgrind import counted

# A tool's child: (database URL, step, runs) → the step driven (`bench.ceiling_callgrind.driven`).
ChildStep = Callable[[str, str, int], Awaitable[None]]


def add_step_options(
    parser: argparse.ArgumentParser, steps: Sequence[str], *, orders_help: str, runs_help: str
) -> None:
    """`--database-url`, `--steps` (default: all of `steps`), `--orders` (rounds of a step that
    makes orders), `--runs` (the other steps' runs) and the child's hidden `--child STEP`."""
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--steps", default=",".join(steps))
    parser.add_argument("--orders", type=int, default=5, help=orders_help)
    parser.add_argument("--runs", type=int, default=1000, help=runs_help)
    parser.add_argument("--child", help=argparse.SUPPRESS)


def ran_child(args: argparse.Namespace, child: ChildStep) -> bool:
    """When this process is a step's child (`--child STEP`), runs `child` on uvloop and says so;
    False in the parent."""
    if not args.child:
        return False
    uvloop.install()
    asyncio.run(child(args.database_url, args.child, args.runs))
    return True


def step_counted(
    module: str, step: str, url: str, runs: int, *, label: str, tree: str | None = None
) -> int:
    """Instructions per run of `step`, counted in a child of `module` (`tree`: another
    checkout's code, as `counted` takes it)."""
    driver = ["-m", module, "--child", step, "--database-url", url, "--runs", str(runs)]
    return counted(driver, runs, label, tree=tree)
