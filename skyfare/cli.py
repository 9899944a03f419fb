"""The `skyfare` command: `up` (everything), `serve` (the API), `sim` (the simulated world)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence

import uvloop

from skyfare.embedded import embedded_services
from skyfare.logs import configure_logging
from skyfare.settings import Settings, SettingsError, load_settings
from skyfare.supervisor import Shutdown, StartupFailed, Supervisor, raise_on_signals
from skyfare.workers import run_api_worker, run_sim, serve_sim_until_signalled

logger = logging.getLogger("skyfare")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {"workers": args.workers} if getattr(args, "workers", None) is not None else {}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"skyfare: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "sim":
        uvloop.run(serve_sim_until_signalled(settings))
        return 0
    return run(settings, with_sim=args.command == "up")


def run(settings: Settings, *, with_sim: bool) -> int:
    """Embedded services where no URL is set, the sim if asked, N API workers; until signalled."""
    raise_on_signals()
    supervisor = Supervisor()
    try:
        with embedded_services(settings) as settings:
            try:
                _start(supervisor, settings, with_sim=with_sim)
                print(ready_line(settings, with_sim=with_sim), flush=True)
                child = supervisor.wait_for_a_child_to_exit()
                logger.error("%s exited with code %s: stopping", child.name, child.exitcode)
                return 1
            finally:
                supervisor.stop_all()
    except Shutdown:
        return 0
    except StartupFailed as exc:
        logger.error("startup failed: %s", exc)
        return 1


def _start(supervisor: Supervisor, settings: Settings, *, with_sim: bool) -> None:
    ports = []
    if with_sim:
        supervisor.spawn("sim", run_sim, settings)
        ports.append((settings.sim_host, settings.sim_port))
    pipes = []
    for index in range(worker_count(settings)):
        parent_end, child_end = supervisor.ready_pipe()
        supervisor.spawn(f"api-worker-{index}", run_api_worker, settings, child_end)
        child_end.close()  # the child holds its own copy now
        pipes.append(parent_end)
    supervisor.wait_ready(pipes, ports)


def worker_count(settings: Settings) -> int:
    return settings.workers if settings.workers > 0 else (os.cpu_count() or 1)


def ready_line(settings: Settings, *, with_sim: bool) -> str:
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    base = f"http://{'[' + host + ']' if ':' in host else host}:{settings.port}"
    what = "Skyfare ready" if with_sim else "Skyfare API ready"
    date = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    example = f"{base}/v1/search?origin=LHR&destination=JFK&departure_date={date}"
    return (
        f'{what} on {base} ({_plural(worker_count(settings), "worker")}) — try: curl -s "{example}"'
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skyfare",
        description="Skyfare flight search. Configured by environment variables (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser(
        "up", help="everything: embedded PostgreSQL/Redis if no URL is set, the sim, the API"
    )
    serve = commands.add_parser("serve", help="the API only (embedded PostgreSQL/Redis if unset)")
    for sub in (up, serve):
        sub.add_argument(
            "--workers", type=int, help="API processes sharing the port (default: one per core)"
        )
    commands.add_parser("sim", help="only the simulated airlines")
    return parser


if __name__ == "__main__":
    sys.exit(main())
