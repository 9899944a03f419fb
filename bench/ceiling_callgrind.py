"""Instructions per cached search of each request-path layer, counted by callgrind: a figure a
busy machine does not move (CPU time per request swings ±25 % between turns at load 8).

    python -m bench.ceiling_callgrind [--layers bare,router,protocol,plumbing] [--requests 4000]
                                      [--tree DIR]

Each layer runs in-process (`bench.ceiling_inproc --handshake`) under `valgrind --tool=callgrind
--instr-atstart=no`; instrumentation is switched on (`callgrind_control -i on`) after start-up
and 500 warm-up requests, and off after `--requests` more, so the count is theirs alone (user
space: the kernel's socket work is not counted, nor is there any: the transport is fake).
`--tree`: another checkout's code first on PYTHONPATH (a `git worktree` of the commit to compare;
copy this file and `bench/ceiling_inproc.py`, `bench/ceiling_ablation.py` into it). The layers
`app` and `skyfare` are not deterministic here: their background tasks run by the clock, and
valgrind's slowdown charges each request ~50x more of them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path


def count(layer: str, requests: int, tree: Path | None, query: str, method: str = "GET") -> int:
    driver = [
        "-m", "bench.ceiling_inproc", "--handshake", "--layers", layer,
        "--requests", str(requests), "--method", method, *(["--query", query] if query else []),
    ]  # fmt: skip
    return counted(driver, requests, layer, tree=tree)


async def driven(call: Callable[[], Awaitable[object]], runs: int) -> None:
    """`counted`'s driver side: `runs` calls to warm up, "ready", `runs` counted, "done" (each
    answered by a line on stdin), then exit at once: callgrind writes its file at exit, and
    nothing after the counted loop may run."""
    for switch in ("ready", "done"):
        for _ in range(runs):
            await call()
        print(switch, flush=True)
        sys.stdin.readline()
    os._exit(0)


def counted(
    driver: list[str],
    runs: int,
    label: str,
    *,
    tree: Path | str | None = None,
) -> int:
    """Instructions per run of `python *driver` under callgrind, counted between its "ready" and
    its "done" (the driver waits for a line on stdin after each, as `_handshake` does). `tree`:
    another checkout whose code the driver runs (first on PYTHONPATH, and the working folder)."""
    env = {**os.environ, **({"PYTHONPATH": str(tree)} if tree else {})}
    with tempfile.TemporaryDirectory(prefix="skyfare-callgrind-") as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            sys.executable, *driver,
        ]  # fmt: skip
        proc = subprocess.Popen(
            command, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert proc.stdin is not None
        assert proc.stdout is not None
        for switch in ("on", "off"):
            if proc.stdout.readline().strip() not in ("ready", "done"):
                raise RuntimeError(f"{label}: the driver stopped early")
            subprocess.run(["callgrind_control", "-i", switch, str(proc.pid)], check=True,
                           capture_output=True)  # fmt: skip
            proc.stdin.write("go\n")
            proc.stdin.flush()
        proc.wait()
        for line in out.read_text().splitlines():
            if line.startswith("totals:"):
                return round(int(line.split()[1]) / runs)
    raise RuntimeError(f"{label}: callgrind wrote no totals")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--layers", default="bare,router,protocol,plumbing")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--query", default="", help="the request target (default: a search)")
    parser.add_argument("--method", choices=("GET", "POST"), default="GET",
                        help="POST: the query's search as a JSON body")  # fmt: skip
    args = parser.parse_args()
    found = {
        layer: count(layer, args.requests, args.tree, args.query, args.method)
        for layer in args.layers.split(",")
    }
    found_by = {"instructions_per_request": found, "requests": args.requests, "method": args.method}
    print(json.dumps(found_by, indent=2))


if __name__ == "__main__":
    main()
