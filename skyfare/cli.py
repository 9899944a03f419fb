"""The `skyfare` command: `up` (everything), `serve` (the API, or one service of it: search,
booking), `relay` (the outbox relay alone), `sim` (the simulated world),
`migrate` (the database schema), `partners` (metasearch partner keys), `warm` (fill the fare
cache of a running Skyfare), `token` (a dev traveler token from the sim), `login` (sign in to the
sim's identity provider through its real flow), `worker` (the notification worker), `analytics`
(the analytics consumer) and `report` (its reports), those two in skyfare/cli_analytics.py.
What `up` and `serve` start, and the lines they print, is skyfare/launch.py."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import math
import re
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import uvloop
from rich.console import Console
from rich.table import Table

from kernel.errors import DomainError
from kernel.logs import describe
from skyfare import cli_analytics, devlogin, devtoken, warm
from skyfare.devkey import KEY_FILE
from skyfare.embedded import EmbeddedPostgres
from skyfare.launch import run
from skyfare.logs import configure_logging
from skyfare.migrations import MIGRATE_TIMEOUT_S, MigrationError, migrate
from skyfare.notify_runner import serve_notify
from skyfare.partners import MAX_BURST, Partner, PartnerKeys, check_name
from skyfare.postgres import connect_options
from skyfare.ratelimit import parse_rate, short_rate
from skyfare.services import ALL, SERVICES
from skyfare.settings import Settings, SettingsError, load_settings
from skyfare.tracing import start_tracing
from skyfare.workers import run_relay, serve_sim_until_signalled

# What an operator's `partners` command waits for PostgreSQL. The API's budgets (1 s for a key
# lookup, `db_timeout_s`) protect a request's deadline; a command typed by hand has none, and a
# busy server answering in two seconds is no reason to fail it.
ADMIN_TIMEOUT_S = 30.0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {"workers": args.workers} if getattr(args, "workers", None) is not None else {}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"skyfare: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "sim":
        uvloop.run(serve_sim_until_signalled(settings))
        return 0
    if args.command == "worker":
        start_tracing(settings, "worker")
        uvloop.run(serve_notify(settings))
        return 0
    if args.command == "relay":
        return _relay(settings)
    if args.command == "token":
        return devtoken.run_command(settings, args.sub, args.roles, args.ttl)
    if args.command == "login":
        password = args.password if args.password is not None else getpass.getpass()
        return devlogin.run_command(
            settings.trusted_issuer, args.email, password, show_all=args.json
        )
    if args.command == "warm":
        return _warm(settings, args)
    if args.command in cli_analytics.COMMANDS:
        return cli_analytics.run_command(settings, args)
    if args.command in ("migrate", "partners"):
        return uvloop.run(_admin(settings, args))
    service = getattr(args, "service", ALL)
    gateway = getattr(args, "gateway", False)
    return run(settings, with_sim=args.command == "up", service=service, gateway=gateway)


class _Parser(argparse.ArgumentParser):
    """Refuses an argument no command takes with the usage of the command it was given to.

    argparse leaves a subcommand's unknown arguments to the top-level parser, which printed its
    own usage (the list of commands) for `skyfare serve --port 1`, not `serve`'s options.
    """

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            _command_parser(self, parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def _command_parser(
    parser: argparse.ArgumentParser, parsed: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the innermost command `parsed` names (`skyfare partners create`'s)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(parsed, action.dest, None)
            if name in action.choices:
                return _command_parser(action.choices[name], parsed)
    return parser


# The first thing a second copy on one machine needs, and not a flag (README, Settings).
_PORTS = (
    "Ports: SKYFARE_PORT (the API, 8080) and SKYFARE_SIM_PORT (the sim, 9100); "
    "the others follow them, but --gateway's SKYFARE_GATEWAY_PORT (8443). README, Settings."
)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="skyfare",
        description="Skyfare flight search. Configured by environment variables (see README).",
    )
    # The commands' own parsers are plain ones: only the top level's `parse_args` is called.
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=argparse.ArgumentParser
    )
    up = commands.add_parser(
        "up",
        help="everything: embedded PostgreSQL/Redis if no URL is set, the sim, the API",
        epilog=_PORTS,
    )
    up.add_argument(
        "--gateway",
        action="store_true",
        help="behind the nginx gateway: two search processes, one booking, the relay (deploy/)",
    )
    serve = commands.add_parser(
        "serve",
        help="the API only (embedded PostgreSQL/Redis if unset)",
        epilog="Port: SKYFARE_PORT (the API, 8080), not a flag. README, Settings.",
    )
    for sub in (up, serve):
        sub.add_argument(
            "--workers",
            type=_workers,
            help="API processes sharing the port (default, or 0: one per core)",
        )
    serve.add_argument(
        "--service",
        choices=SERVICES,
        default=ALL,
        help="the deployable part to serve: search, booking, or all of it (default)",
    )
    commands.add_parser("sim", help="only the simulated airlines")
    commands.add_parser(
        "relay",
        help="the outbox relay alone: order/payment events → the Redis stream "
        "(DATABASE_URL and REDIS_URL)",
    )
    commands.add_parser(
        "worker",
        help="the notification worker: order/payment events → email and SMS "
        "(REDIS_URL, else the embedded Redis of a running `skyfare serve`)",
    )
    _add_admin_commands(commands)
    cli_analytics.add_commands(commands)
    _add_warm_command(commands)
    _add_token_command(commands)
    _add_login_command(commands)
    return parser


def _add_login_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "login",
        help="sign in to the running sim's identity provider (code flow + PKCE); "
        "prints the access token",
    )
    sub.add_argument("--email", required=True, help="e.g. ada@example.com (README: seeded users)")
    sub.add_argument("--password", help="asked for on the terminal when not given")
    sub.add_argument(
        "--json", action="store_true", help="print every token (access, refresh, ID) as JSON"
    )


def _add_token_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "token", help="a dev traveler token from the running sim's identity provider (stdout)"
    )
    sub.add_argument("--sub", required=True, help="the traveler (the token's subject)")
    sub.add_argument(
        "--role", dest="roles", action="append", default=[], help="e.g. support; repeatable"
    )
    sub.add_argument("--ttl", type=_positive, default=3600, help="seconds the token is valid")


def _add_warm_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "warm", help="fill a running Skyfare's fare cache for the routes of a file, N days ahead"
    )
    sub.add_argument(
        "--routes", required=True, type=Path, help="one `ORIGIN DESTINATION [CABIN]` a line"
    )
    sub.add_argument(
        "--url", help="the running API (default: http://127.0.0.1:$SKYFARE_PORT, else 8080)"
    )
    sub.add_argument(
        "--key",
        help="partner API key (default: $SKYFARE_PARTNER_KEY, else the dev key of `skyfare up`)",
    )
    sub.add_argument("--days", type=_days, default=30, help="departures today+1 … today+N")
    sub.add_argument("--concurrency", type=_positive, default=4, help="bulk requests in flight")


def _add_admin_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("migrate", help="apply the database migrations not yet applied")
    partners = commands.add_parser("partners", help="metasearch partners and their API keys")
    actions = partners.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new partner; prints its API key, once")
    create.add_argument("--name", required=True, type=_partner_name)
    create.add_argument("--rate", default="50/s", type=_rate, help="e.g. 50/s, 3000/min")
    create.add_argument(
        "--burst", type=_burst, help="requests allowed at once (default: 1 s' worth)"
    )
    actions.add_parser("list", help="partners, key prefixes and limits (never the keys)")
    rotate = actions.add_parser(
        "rotate", help="a new key for a partner, printed once; the old one works for --overlap"
    )
    rotate.add_argument("--name", required=True)
    rotate.add_argument(
        "--overlap",
        type=_overlap,
        default="24h",
        help="how long the replaced key still works, e.g. 0, 30m, 24h, 7d (default 24h)",
    )
    revoke = actions.add_parser("revoke", help="revoke a partner's keys (a rotated one's too)")
    revoke.add_argument("--name", required=True)


def _relay(settings: Settings) -> int:
    if settings.database_url is None or settings.redis_url is None:
        print("skyfare: relay needs DATABASE_URL and REDIS_URL", file=sys.stderr)
        return 2
    run_relay(settings)
    return 0


def _rate(text: str) -> float:
    try:
        rate = parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if math.ceil(rate) > MAX_BURST:  # its default burst, 1 s' worth, must fit the table
        raise argparse.ArgumentTypeError(f"rate {text!r} is over {MAX_BURST}/s")
    return rate


def _burst(text: str) -> int:
    burst = _positive(text)
    if burst > MAX_BURST:
        raise argparse.ArgumentTypeError(f"{text!r} is over {MAX_BURST}")
    return burst


_OVERLAP = re.compile(r"^(\d+)([smhd]?)$")
_OVERLAP_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400}
MAX_OVERLAP_S = 30 * 86_400


def _overlap(text: str) -> int:
    match = _OVERLAP.match(text) if text.isascii() else None
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r}: expected seconds or e.g. 30m, 24h, 7d")
    seconds = int(match.group(1)) * _OVERLAP_UNITS[match.group(2)]
    if seconds > MAX_OVERLAP_S:  # a key to retire is a key to be rid of, not a second key
        raise argparse.ArgumentTypeError(f"{text!r} is over 30 days")
    return seconds


def _partner_name(text: str) -> str:
    try:
        return check_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above zero")
    return int(text)


def _workers(text: str) -> int:
    # A negative count was taken as "one per core", as 0 is: a typo started every core's worth.
    return 0 if text == "0" else _positive(text)


def _days(text: str) -> int:
    days = _positive(text)
    if days > 361:  # the API's booking horizon
        raise argparse.ArgumentTypeError(f"{days} is more than 361 days ahead")
    return days


def _warm(settings: Settings, args: argparse.Namespace) -> int:
    key = warm.resolve_key(args.key, settings.partner_key, Path(settings.data_dir) / KEY_FILE)
    if key is None:
        print(
            "skyfare: no partner key: pass --key, set SKYFARE_PARTNER_KEY, "
            "or run `skyfare up` once (it keeps a dev key)",
            file=sys.stderr,
        )
        return 2
    # The API `up` and `serve` start here: a Skyfare moved off 8080 (README) is warmed there.
    url = args.url or f"http://127.0.0.1:{settings.port}"
    return warm.run_command(args.routes, url, key, days=args.days, concurrency=args.concurrency)


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    """`migrate` and `partners ...`: migrate first, so a fresh database just works."""
    try:
        async with _connection(settings) as conn:
            applied = await migrate(conn, timeout=MIGRATE_TIMEOUT_S)
            if args.command == "migrate":
                print(f"applied {len(applied)} migration(s): {', '.join(applied) or '-'}")
                return 0
            return await _partners(PartnerKeys(conn, timeout_s=ADMIN_TIMEOUT_S), args)
    except DomainError as exc:
        print(f"skyfare: {exc.detail}", file=sys.stderr)
        return 1
    except TimeoutError:  # str() of it is empty: name what did not answer
        print("skyfare: the database did not answer in time", file=sys.stderr)
        return 1
    except OSError as exc:  # "[Errno 111] Connection refused" alone did not say of what
        print(
            f"skyfare: PostgreSQL (DATABASE_URL) cannot be reached: {describe(exc)}",
            file=sys.stderr,
        )
        return 1
    except (MigrationError, asyncpg.PostgresError) as exc:
        print(f"skyfare: {str(exc) or type(exc).__name__}", file=sys.stderr)
        return 1


async def _partners(keys: PartnerKeys, args: argparse.Namespace) -> int:
    if args.action == "create":
        burst = args.burst if args.burst is not None else max(1, math.ceil(args.rate))
        _, raw_key = await keys.create(args.name, rate_per_s=args.rate, burst=burst)
        print(raw_key)  # the only line on stdout: scripts capture it; it is shown only now
        return 0
    if args.action == "list":
        _print_partners(await keys.list())
        return 0
    if args.action == "rotate":
        _, raw_key = await keys.rotate(args.name, overlap_s=args.overlap)
        print(raw_key)  # as for create: the only line on stdout, shown only now
        return 0
    if await keys.revoke(args.name):
        print(f"revoked {args.name}")
        return 0
    print(f"skyfare: no active partner named {args.name!r}", file=sys.stderr)
    return 1


def _print_partners(partners: Sequence[Partner]) -> None:
    """A table on a terminal (rich); one tab-separated line a partner otherwise (scripts)."""
    console = Console()
    if not console.is_terminal:
        for p in partners:
            state = _state(p)
            print(
                f"{p.name}\t{p.key_prefix}…\t{short_rate(p.rate_per_s)}\tburst {p.burst}\t{state}"
            )
        return
    table = Table("name", "key", "rate", "burst", "state")
    for p in partners:
        colour = "red" if p.revoked else "yellow" if p.retires_at else "green"
        state = f"[{colour}]{_state(p)}[/{colour}]"
        table.add_row(p.name, f"{p.key_prefix}…", short_rate(p.rate_per_s), str(p.burst), state)
    console.print(table)


def _state(partner: Partner) -> str:
    if partner.revoked:
        return "revoked"
    if partner.retires_at is not None:
        return f"retiring {partner.retires_at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
    return "active"


@asynccontextmanager
async def _connection(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """DATABASE_URL, else the embedded PostgreSQL under the data dir (as `serve` uses it)."""
    server = None
    url = settings.database_url
    if url is None:
        server = EmbeddedPostgres(Path(settings.data_dir) / "postgres")
        url = server.start()
    try:
        conn = await asyncpg.connect(
            url, timeout=settings.db_timeout_s, **connect_options(settings)
        )
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
