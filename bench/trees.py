"""Two or more checkouts measured side by side: each turn runs every tree once, in a process of
its own (`PYTHONPATH=<tree>`, cwd the tree), the order reversed every other turn, so a busy
machine slows every side alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence


def one_side(
    module: str, tree: str, options: Sequence[str], *, python: str = sys.executable
) -> dict[str, float]:
    """`python -m <module> --one-side <options>` in `tree`: the JSON object it prints."""
    command = [python, "-m", module, "--one-side", *options]
    env = {**os.environ, "PYTHONPATH": tree}
    out = subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def alternating(
    trees: Sequence[str],
    turns: int,
    measure: Callable[[str], dict[str, float]],
    shown: Callable[[dict[str, float]], str] = json.dumps,
) -> dict[str, list[dict[str, float]]]:
    """`measure(tree)` of every tree, `turns` times, in alternating order; each result printed
    (as `shown` words it)."""
    rows: dict[str, list[dict[str, float]]] = {t: [] for t in trees}
    for turn in range(turns):
        for tree in trees if turn % 2 == 0 else trees[::-1]:
            rows[tree].append(measure(tree))
            print(f"turn {turn + 1} {tree}: {shown(rows[tree][-1])}", flush=True)
    return rows
