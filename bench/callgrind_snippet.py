"""Instructions per run of a Python statement, counted by callgrind: what a small piece of a
request costs (a dict built or copied, a call, an id minted), free of a busy machine's noise.

    python -m bench.callgrind_snippet SETUP STATEMENT [STATEMENT ...] [--runs 20000]

SETUP runs once (imports, fixtures); each STATEMENT then runs `--runs` times in a loop, twice:
once to warm up, once with callgrind's instrumentation on (`callgrind_control -i on/off`, as
`bench.ceiling_callgrind`). The figure includes the loop's own cost (`pass` gives it: ~420
instructions here, most of it the handshake's, spread over the runs); compare statements of one
invocation. Run from the tree whose code SETUP imports (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.ceiling_callgrind import counted


def _child(setup: str, statement: str, runs: int) -> None:
    """In valgrind: warm up, "ready", the counted loop once a line arrives, "done"."""
    scope: dict[str, object] = {}
    exec(setup, scope)  # the caller's own benchmark code, as `python -c` would run it
    loop = compile(f"for _ in range({runs}):\n    {statement}\n", "<snippet>", "exec")
    exec(loop, scope)
    print("ready", flush=True)
    sys.stdin.readline()
    exec(loop, scope)
    print("done", flush=True)
    sys.stdin.readline()
    os._exit(0)  # callgrind writes its file at exit; nothing after the counted loop


def count(setup: str, statement: str, runs: int) -> int:
    driver = ["-m", "bench.callgrind_snippet", "--child", setup, statement, "--runs", str(runs)]
    return counted(driver, runs, repr(statement))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("setup")
    parser.add_argument("statements", nargs="+")
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.setup, args.statements[0], args.runs)
        return
    for statement in ["pass", *args.statements]:
        print(f"{count(args.setup, statement, args.runs):>8,}  {statement}", flush=True)


if __name__ == "__main__":
    main()
