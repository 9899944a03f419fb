"""Where a py-spy profile's samples are, by who runs: `python -m bench.profile_shares FILE...`.

Reads `py-spy record -f raw` output (one `frame;frame;… count` line per stack, root first) and
gives each sample to the innermost frame that belongs to a known part, so every sample counts
once: PostgreSQL's protocol (asyncpg), Redis (redis-py), the airline calls (aiohttp's client,
connectors/, zeep, lxml), the HTTP server (aiohttp's server and Skyfare's plumbing around the
handler), the domain code (booking/, search/, cache/, kernel/ …), and the event loop itself. A
sample whose innermost frame is a socket write is also counted as "socket writes" (py-spy sees
the Python frame that entered the kernel; on a busy core a thread preempted there is counted
there too, so this is an upper bound of kernel socket time, not a measure of it).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

# (part, pattern on a frame's "function (file:line)"), checked innermost frame first.
PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("PostgreSQL protocol (asyncpg)", re.compile(r"\(asyncpg/")),
    ("Redis (redis-py)", re.compile(r"\(redis/")),
    (
        "airline calls (aiohttp client, connectors, zeep, lxml)",
        re.compile(r"\((aiohttp/client|aiohttp/connector|connectors/|zeep/|lxml/|yarl/)"),
    ),
    (
        "HTTP server (aiohttp server, plumbing, auth)",
        re.compile(
            r"\((aiohttp/web|aiohttp/http|aiohttp/_http|multidict/|skyfare/plumbing|skyfare/guard"
            r"|skyfare/auth|skyfare/ratelimit|skyfare/usage|kernel/auth)"
        ),
    ),
    (
        "domain code (booking, search, cache, kernel)",
        re.compile(
            r"\((booking|search|cache|kernel|payment|support|notify|users|seats|analytics)/"
        ),
    ),
    # Not `skyfare/workers.py`: the process's root, below the event loop.
    ("other Skyfare", re.compile(r"\(skyfare/(?!workers\.py)")),
    ("msgspec, json, logging and the rest", re.compile(r"\((msgspec|json|logging|uuid|hashlib)/")),
)
# Nothing above matched: the stack ends in asyncio's Python or at the loop's root (`Runner.run`,
# i.e. uvloop's C code: callbacks, transports, epoll). asyncio frames are transparent above, so a
# library writing through an asyncio stream is counted as that library.
LOOP = "event loop (uvloop, asyncio)"
SOCKET_WRITE = re.compile(r"^(.*\.)?(write|writelines|sendall|send|_send_packed_command|_write)\b")


def part_of(frames: Sequence[str]) -> str:
    for frame in reversed(frames):
        for part, pattern in PARTS:
            if pattern.search(frame):
                return part
    return LOOP


def shares(lines: Sequence[str]) -> tuple[Counter[str], int, int]:
    """Samples per part, the total, and those whose innermost frame writes to a socket."""
    counts: Counter[str] = Counter()
    total = writes = 0
    for line in lines:
        stack, _, n = line.rstrip().rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = stack.split(";")
        counts[part_of(frames)] += int(n)
        total += int(n)
        if SOCKET_WRITE.match(frames[-1]):
            writes += int(n)
    return counts, total, writes


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.files:
        counts, total, writes = shares(path.read_text().splitlines())
        print(f"{path} ({total} samples)")
        print("| part | share of samples |\n|---|---|")
        for part, n in counts.most_common():
            print(f"| {part} | {100 * n / total:.1f} % |")
        print(f"| of which the innermost frame writes to a socket | {100 * writes / total:.1f} % |")


if __name__ == "__main__":
    main()
