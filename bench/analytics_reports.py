"""Every report of `skyfare report` read from a store the consumer is writing: the file opened
once per report (as before) against once for the batch (`analytics.render.print_reports`), in
alternating turns, in one tree.

    python -m bench.analytics_reports [--rows 1000000] [--turns 5] [--writer-pause-ms 20]

A store of `--rows` searches over 7 days (and a re-price per 10, an order event per 20) is made
once. Then a writer process does what the consumer does between batches: opens the file for
writing, loads 50 rows, closes it, pauses `--writer-pause-ms`; so each open of a reader waits
for the lock, as `skyfare report` does beside a busy consumer. Each turn reads every report
(`--since 9999d`) both ways; the figures are the wall time of a whole batch and the number of
opens. `--no-writer`: the file alone (quiet).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import multiprocessing as mp
import statistics
import tempfile
import time
from typing import Any

import duckdb

from analytics.reports import NAMES, report
from analytics.store import AnalyticsStore

_DAYS = 7
_START = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
_MS0 = int(_START.timestamp() * 1000)


def _position(ms: str, stream: str) -> str:
    return (
        f"'{stream}' AS stream, ({ms}) || '-0' AS stream_id, {ms} AS ms, 0 AS seq, "
        f"make_timestamp(({ms}) * 1000) AS occurred_at, "
        f"CAST(make_timestamp(({ms}) * 1000) AS DATE) AS date"
    )


def _fill(db: duckdb.DuckDBPyConnection, first: int, rows: int, step: int) -> None:
    ms = f"{_MS0} + i * {step}"
    route = "['LHR', 'FRA', 'CDG'][i % 3 + 1] || '-' || ['JFK', 'SFO'][i % 2 + 1]"
    db.execute(
        f"INSERT INTO searches BY NAME SELECT {_position(ms, 'usage')}, "
        "['get', 'post', 'bulk'][i % 3 + 1] AS channel, "
        "CASE WHEN i % 3 = 2 THEN 'acme' END AS partner, "
        f"{route} AS route, 20 + i % 40 AS offers, 'EUR' AS currency, i % 90 AS took_ms, "
        "['hit', 'miss', 'stale', 'hit'][i % 4 + 1] AS cache "
        f"FROM range({first}, {first + rows}) t(i)"
    )
    db.execute(
        f"INSERT INTO connector_calls BY NAME SELECT {_position(ms, 'usage')}, "
        "['rest-liberty', 'soap-nordic'][i % 2 + 1] AS connector, "
        "['ok', 'ok', 'timeout'][i % 3 + 1] AS status, 20 AS offers, i % 300 AS latency_ms "
        f"FROM range({first}, {first + rows}, 4) t(i)"
    )
    db.execute(
        f"INSERT INTO reprices BY NAME SELECT {_position(ms, 'usage')}, "
        "['offer', 'order'][i % 2 + 1] AS stage, 'rest-liberty' AS connector, "
        "['held', 'changed'][i % 2 + 1] AS outcome, 'cache' AS source "
        f"FROM range({first}, {first + rows}, 10) t(i)"
    )
    db.execute(
        f"INSERT INTO order_events BY NAME SELECT {_position(ms, 'events')}, "
        "'evt_' || i AS event_id, ['order.held', 'order.confirmed'][i % 2 + 1] AS type, "
        "'ord_' || (i // 2) AS order_id, 'held' AS status, "
        "['unpaid', 'paid'][i % 2 + 1] AS payment_status, 250.50 AS total_amount, "
        f"'EUR' AS currency, {route} AS route "
        f"FROM range({first}, {first + rows}, 20) t(i)"
    )


def _writer(directory: str, first: int, step: int, pause_s: float, stop: Any) -> None:
    store = AnalyticsStore(directory, lock_wait_s=60)
    batch = first
    while not stop.is_set():
        with store.session(write=True) as db:
            _fill(db, batch, 50, step)
        batch += 50
        time.sleep(pause_s)


def _turn(directory: str, batch: bool, since: dt.datetime, until: dt.datetime) -> tuple[float, int]:
    from analytics.render import print_reports

    store = AnalyticsStore(directory, read_only=True, lock_wait_s=60)
    began = time.perf_counter()
    if batch:
        print_reports(store, since, until, io.StringIO())
    else:
        for name in NAMES:
            report(store, name, since, until)
    return time.perf_counter() - began, store.opens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--writer-pause-ms", type=float, default=20.0)
    parser.add_argument("--no-writer", action="store_true")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="skyfare-bench-reports-")
    step = _DAYS * 86_400_000 // (args.rows * 2)  # the writer's rows go on after these
    store = AnalyticsStore(directory)
    with store.session(write=True) as db:
        _fill(db, 0, args.rows, step)
    store.close()
    stop = mp.Event()
    writer = None
    if not args.no_writer:
        writer = mp.Process(
            target=_writer, args=(directory, args.rows, step, args.writer_pause_ms / 1000, stop)
        )
        writer.start()
    since, until = _START - dt.timedelta(days=1), _START + dt.timedelta(days=_DAYS)
    times: dict[str, list[float]] = {"per_report": [], "batch": []}
    opens: dict[str, int] = {}
    try:
        for _ in range(args.turns):
            for name, batch in (("per_report", False), ("batch", True)):
                seconds, opened = _turn(directory, batch, since, until)
                times[name].append(round(seconds, 3))
                opens[name] = opened
    finally:
        stop.set()
        if writer is not None:
            writer.join()
    print(
        json.dumps(
            {
                "rows": args.rows,
                "writer": None if args.no_writer else {"pause_ms": args.writer_pause_ms},
                "reports": len(NAMES),
                "seconds": times,
                "median_s": {k: round(statistics.median(v), 3) for k, v in times.items()},
                "opens": opens,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
