"""Where the API worker's samples under the booking load are, by phase of a hold.

    python -m bench.booking_phases FILE.collapsed.txt... [--ms-per-order 2.59]

Reads `py-spy record -f raw` output of the API worker (bench/booking_profile.py) and gives each
sample to the innermost frame naming a phase — the idempotency key's look-up, the airline's
re-price, the order insert, the airline hold, the `held` transition, the key's release after a 409,
the bearer token, the rate limit, reading and validating the body, the sale's eviction, the outbox
relay, … — or, outside any, to the HTTP server, Redis commands sent from a task of their own
(redis-py's `wait_for` around a socket write: the caller is not on the stack), or the event loop.
Phases nest (the re-price contains its Redis `EXISTS`), so the innermost wins and each sample
counts once. With `--ms-per-order` (the worker's CPU per order made, from /proc) each share is also
given in µs per order; py-spy samples a thread that is running or runnable, so on a busy core the
shares are of wall time on or waiting for the CPU, not of CPU alone."""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

# (phase, pattern on a frame), the innermost frame matching any of them names the sample's phase.
PHASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "bearer token (guard, verified-token cache, JWT)",
            r"^(_bearer|authenticate) \(skyfare/guard|\(skyfare/auth/",
        ),
        ("traveler rate limit (Redis script)", r"\(skyfare/travelers\.py|\(skyfare/ratelimit\.py"),
        (
            "body: read, parse, validate, fingerprint, key",
            r"^(read_json_body|json_object|parse_order_body|fingerprint|check_key) ",
        ),
        (
            "look up (or claim) the Idempotency-Key (PostgreSQL)",
            r"^PgIdempotencyStore\.(claim|look_up|in_use) ",
        ),
        ("release the key after a 409 (PostgreSQL)", r"^PgIdempotencyStore\.release "),
        ("airline re-price: HTTP call + parsing", r"^Airline\.price "),
        (
            "re-price bookkeeping: cached? (Redis EXISTS) + usage",
            r"^(StaleFares\.checked|UsagePriceChecks\.checked) ",
        ),
        ("insert the order (+ limits, history, outbox)", r"^PgOrderRepository\.create "),
        ("airline hold: HTTP call + parsing", r"^Airline\.hold "),
        (
            "the sale: take the offer's tag (Redis script) + usage",
            r"^(StaleFares\.sold|UsagePriceChecks\.sold) ",
        ),
        ("`held` transition + stored answer (PostgreSQL)", r"^PgOrderRepository\.transition "),
        ("the answer: created_response, metrics", r"^(created_response|order_outcome) "),
        (
            "the view's own code (create_order, OrderCreation)",
            r"^(create_order \(booking|OrderCreation\.)",
        ),
        (
            "HTTP server + plumbing (aiohttp, request id, headers)",
            r"\(aiohttp/web|\(aiohttp/http|\(skyfare/(plumbing|guard|protocol|request_id|security_headers)",
        ),
        ("background: sale's eviction batches (Redis)", r"^StaleFares\.(run|_evict|_drain)"),
        ("background: held re-prices' cached? (Redis script)", r"^HeldChecks\.(run|flush) "),
        ("background: outbox relay (PostgreSQL + Redis)", r"\(booking/relay\.py"),
        ("background: support sync acks", r"\(support/sync\.py"),
        ("background: usage events publisher", r"\(skyfare/usage\.py|\(kernel/usage\.py"),
        (
            "Redis command in its own task (caller not on the stack)",
            r"^AbstractConnection\._send_packed_command ",
        ),
    )
)
LOOP = "event loop and the rest (uvloop, asyncio, other tasks)"


def phase_of(frames: Sequence[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in PHASES:
            if pattern.search(frame):
                return name
    return LOOP


def phases(lines: Sequence[str]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, n = line.rstrip().rpartition(" ")
        if stack and n.isdigit():
            counts[phase_of(stack.split(";"))] += int(n)
            total += int(n)
    return counts, total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--ms-per-order", type=float, help="the worker's CPU per order made")
    args = parser.parse_args(argv)
    for path in args.files:
        counts, total = phases(path.read_text().splitlines())
        print(f"\n{path} ({total} samples)\n")
        print("| phase | share | µs per order |" if args.ms_per_order else "| phase | share |")
        print("|---|---|---|" if args.ms_per_order else "|---|---|")
        for name, n in counts.most_common():
            share = n / total
            cells = f"| {name} | {100 * share:.1f} % |"
            if args.ms_per_order:
                cells += f" {share * args.ms_per_order * 1000:.0f} |"
            print(cells)


if __name__ == "__main__":
    main()
