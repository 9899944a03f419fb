"""`skyfare warm`: fill the fare cache of a running Skyfare for a list of routes and dates.

What a metasearch-facing deployment runs before partners arrive: every route of a routes file is
searched for each departure date today+1 … today+N (one-way) through `POST /v1/fares/bulk` with
`mode: "live"`, in batches, a few batches in flight. Parsing the routes file, planning the queries
and the plain progress lines are pure functions; `warm` is the shell (one ClientSession, explicit
timeouts). On a terminal the progress is a rich bar and the summary a rich table; off one, plain
lines a script can read (a step line per 10 % on stderr, the summary line on stdout).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

import aiohttp
import msgspec
import uvloop
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from connectors.model import CABIN_CLASSES, CabinClass

BATCH_SIZE = 100
# A live batch of 100 searches fans out to every airline: generous, never aiohttp's 300 s default.
BATCH_TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 5.0
MAX_RATE_LIMIT_RETRIES = 5

_SEPARATORS = re.compile(r"[\s,]+")
_IATA = re.compile(r"[A-Za-z]{3}")
_T = TypeVar("_T")


class RoutesFileError(Exception):
    """A routes file line that is not `ORIGIN DESTINATION [CABIN]` (`line` counts from 1)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


class WarmFailed(Exception):
    """The API could not be reached or refused a batch (bad key, rate limit, server error)."""


class Route(msgspec.Struct, frozen=True):
    line: int  # in the routes file, to report what the API found invalid
    origin: str
    destination: str
    cabin_class: CabinClass = "economy"


class WarmQuery(msgspec.Struct, frozen=True):
    """One bulk query (the wire shape of docs/api.md "Bulk fares"); `route` is not sent."""

    origin: str
    destination: str
    departure_date: dt.date
    cabin_class: CabinClass


class _BulkRequest(msgspec.Struct, frozen=True):
    queries: tuple[WarmQuery, ...]
    mode: str = "live"


class _FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class AnswerLine(msgspec.Struct, frozen=True):
    """The fields of a bulk NDJSON line that warming reads; the rest is ignored."""

    index: int
    status: str
    errors: tuple[_FieldError, ...] = ()
    detail: str | None = None


_encoder = msgspec.json.Encoder()
_line_decoder = msgspec.json.Decoder(AnswerLine)


@dataclasses.dataclass(slots=True)
class Tally:
    ok: int = 0
    not_cached: int = 0
    invalid: int = 0
    error: int = 0

    @property
    def done(self) -> int:
        return self.ok + self.not_cached + self.invalid + self.error


def parse_routes(text: str) -> tuple[Route, ...]:
    """The routes of a routes file; `RoutesFileError` names the first bad line. Airports are only
    checked for shape: whether one exists is the API's to say."""
    routes = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].strip()
        if content:
            routes.append(_parse_route(number, content))
    if not routes:
        raise RoutesFileError(0, "no routes (one `ORIGIN DESTINATION [CABIN]` per line)")
    return tuple(routes)


def _parse_route(number: int, content: str) -> Route:
    fields = [f for f in _SEPARATORS.split(content) if f]
    if not 2 <= len(fields) <= 3:
        raise RoutesFileError(
            number, f"expected `ORIGIN DESTINATION [CABIN]`, got {len(fields)} field(s)"
        )
    for field in fields[:2]:
        if not _IATA.fullmatch(field):
            raise RoutesFileError(number, f"{field!r} is not a 3-letter IATA airport code")
    origin, destination = fields[0].upper(), fields[1].upper()
    if origin == destination:
        raise RoutesFileError(number, f"origin and destination are both {origin}")
    cabin = fields[2].lower() if len(fields) == 3 else "economy"
    for known in CABIN_CLASSES:
        if cabin == known:
            return Route(number, origin, destination, known)
    raise RoutesFileError(
        number, f"unknown cabin {fields[2]!r} (one of {', '.join(CABIN_CLASSES)})"
    )


def plan(routes: Sequence[Route], today: dt.date, days: int) -> list[tuple[Route, WarmQuery]]:
    """Each route for each departure date today+1 … today+days, route by route."""
    return [
        (r, WarmQuery(r.origin, r.destination, today + dt.timedelta(days=d), r.cabin_class))
        for r in routes
        for d in range(1, days + 1)
    ]


def batches(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def progress_step(tally: Tally, total: int) -> str:
    """The line written (not on a tty) each time another 10 % of the queries is answered."""
    return f"warm: {tally.done}/{total} queries ({_percent(tally.done, total)} %)  {_counts(tally)}"


def tenths(done: int, total: int) -> int:
    """How many whole 10 % steps `done` of `total` is (0-10)."""
    return 10 * done // total if total else 10


def summary(tally: Tally, routes: int, days: int, elapsed_s: float) -> str:
    return (
        f"warmed {routes} route(s) × {days} day(s) = {tally.done} queries in {elapsed_s:.2f} s: "
        f"ok {tally.ok}  not_cached {tally.not_cached}  invalid {tally.invalid}  "
        f"errors {tally.error}"
    )


def _counts(tally: Tally) -> str:
    invalid = f"  invalid {tally.invalid}" if tally.invalid else ""
    return f"ok {tally.ok}  errors {tally.error}{invalid}"


def _percent(done: int, total: int) -> int:
    return 100 * done // total if total else 100


class Progress:
    """Renders the tally on `stream`: a rich progress bar on a terminal (`terminal`: None asks
    the stream), else one plain line per 10 %."""

    def __init__(self, stream: TextIO, total: int, *, terminal: bool | None = None) -> None:
        self._stream = stream
        self._total = total
        self._reported = 0
        console = Console(file=stream, force_terminal=terminal)
        self._bar: RichProgress | None = None
        if console.is_terminal:
            self._bar = RichProgress(
                TextColumn("warm"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("queries  {task.fields[counts]}"),
                TimeElapsedColumn(),
                console=console,
            )
            self._task = self._bar.add_task("warm", total=total, counts=_counts(Tally()))
            self._bar.start()

    def update(self, tally: Tally) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=tally.done, counts=_counts(tally))
        elif (step := tenths(tally.done, self._total)) > self._reported:
            self._reported = step
            self._stream.write(progress_step(tally, self._total) + "\n")
            self._stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def print_summary(
    tally: Tally,
    routes: int,
    days: int,
    elapsed_s: float,
    out: TextIO,
    *,
    terminal: bool | None = None,
) -> None:
    """The tally as a rich table on a terminal, else `summary`'s one line."""
    console = Console(file=out, force_terminal=terminal)
    if not console.is_terminal:
        print(summary(tally, routes, days, elapsed_s), file=out)
        return
    table = Table(title=f"warmed {routes} route(s) × {days} day(s) in {elapsed_s:.2f} s")
    for name in ("queries", "ok", "not_cached", "invalid", "errors"):
        table.add_column(name, justify="right")
    counts = (tally.done, tally.ok, tally.not_cached, tally.invalid, tally.error)
    table.add_row(*(str(n) for n in counts))
    console.print(table)


class Warmer:
    """Sends the planned queries as live bulk batches and tallies the NDJSON lines."""

    def __init__(
        self, session: aiohttp.ClientSession, url: str, key: str, progress: Progress
    ) -> None:
        self._session = session
        self._endpoint = url.rstrip("/") + "/v1/fares/bulk"
        self._headers = {"X-API-Key": key, "Content-Type": "application/json"}
        self._progress = progress
        self.tally = Tally()
        self.invalid: dict[int, str] = {}  # routes-file line → the API's reason, once per route
        self.failed: dict[int, str] = {}  # routes-file line → why its search failed, once per route

    async def run(self, planned: Sequence[tuple[Route, WarmQuery]], concurrency: int) -> None:
        gate = asyncio.Semaphore(concurrency)
        async with asyncio.TaskGroup() as group:
            for batch in batches(planned, BATCH_SIZE):
                group.create_task(self._gated(gate, batch))

    async def _gated(
        self, gate: asyncio.Semaphore, batch: Sequence[tuple[Route, WarmQuery]]
    ) -> None:
        async with gate:
            await self._send(batch)

    async def _send(self, batch: Sequence[tuple[Route, WarmQuery]]) -> None:
        body = _encoder.encode(_BulkRequest(tuple(query for _, query in batch)))
        for _ in range(MAX_RATE_LIMIT_RETRIES + 1):
            async with self._session.post(self._endpoint, data=body, headers=self._headers) as resp:
                if resp.status == 429:
                    await asyncio.sleep(_retry_after(resp.headers.get("Retry-After")))
                    continue
                if resp.status != 200:
                    raise WarmFailed(await _refusal(resp))
                async for raw in resp.content:
                    if raw.strip():
                        self.count(_line_decoder.decode(raw), batch)
                return
        raise WarmFailed(
            f"still over the partner's rate limit after {MAX_RATE_LIMIT_RETRIES} retries"
        )

    def count(self, line: AnswerLine, batch: Sequence[tuple[Route, WarmQuery]]) -> None:
        if line.status == "ok":
            self.tally.ok += 1
        elif line.status == "not_cached":
            self.tally.not_cached += 1
        elif line.status == "invalid":
            self.tally.invalid += 1
            route = batch[line.index][0]
            reasons = "; ".join(f"{e.field}: {e.message}" for e in line.errors)
            self.invalid.setdefault(route.line, reasons or line.detail or "invalid")
        else:
            self.tally.error += 1
            route = batch[line.index][0]
            self.failed.setdefault(route.line, line.detail or "the search failed")
        self._progress.update(self.tally)


def _retry_after(value: str | None) -> float:
    try:
        return min(30.0, max(1.0, float(value or 1)))
    except ValueError:
        return 1.0


async def _refusal(resp: aiohttp.ClientResponse) -> str:
    text = (await resp.text())[:500]
    try:
        problem = msgspec.json.decode(text)
        detail = problem.get("detail") or problem.get("title") if type(problem) is dict else None
    except msgspec.DecodeError:
        detail = None
    return f"{resp.method} {resp.url.path} answered {resp.status}: {detail or text or resp.reason}"


async def warm(
    url: str,
    key: str,
    planned: Sequence[tuple[Route, WarmQuery]],
    *,
    concurrency: int,
    progress: Progress,
) -> Warmer:
    """Warms every planned query; `WarmFailed` if the API cannot be reached or refuses."""
    timeout = aiohttp.ClientTimeout(total=BATCH_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    # Raised after the handlers, not in them: CPython before 3.11.4 (Debian 12's 3.11.2) wraps an
    # exception raised in an `except*` clause in an ExceptionGroup (gh-103590), and the one-line
    # message became a traceback. The first handler that matches names the failure.
    failures: list[Exception] = []
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            warmer = Warmer(session, url, key, progress)
            await warmer.run(planned, concurrency)
            return warmer
    except* WarmFailed as group:
        failures.append(group.exceptions[0])
    except* aiohttp.ClientConnectorError as group:
        failures.append(WarmFailed(f"cannot reach Skyfare at {url}: {group.exceptions[0]}"))
    except* (aiohttp.ClientError, TimeoutError, msgspec.DecodeError) as group:
        exc = group.exceptions[0]
        failures.append(WarmFailed(f"warming via {url} failed: {exc or type(exc).__name__}"))
    finally:
        progress.close()
    raise failures[0] from None


def resolve_key(flag: str | None, env: str | None, key_file: Path) -> str | None:
    """--key, else SKYFARE_PARTNER_KEY, else the dev key `skyfare up` keeps under the data dir."""
    if flag:
        return flag
    if env:
        return env
    try:
        return key_file.read_text().strip() or None
    except OSError:
        return None


def run_command(routes_path: Path, url: str, key: str, *, days: int, concurrency: int) -> int:
    """`skyfare warm`: 0 all answered, 1 a query errored or the API failed, 2 a bad routes file."""
    try:
        routes = parse_routes(routes_path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"skyfare: cannot read the routes file {routes_path}: {exc}", file=sys.stderr)
        return 2
    except RoutesFileError as exc:
        where = f"{routes_path}" if exc.line == 0 else f"{routes_path}, line {exc.line}"
        print(f"skyfare: bad routes file {where}: {exc.problem}", file=sys.stderr)
        return 2
    # UTC: the API validates departure dates against today in UTC.
    planned = plan(routes, dt.datetime.now(dt.UTC).date(), days)
    start = time.monotonic()
    progress = Progress(sys.stderr, len(planned))
    try:
        warmer = uvloop.run(warm(url, key, planned, concurrency=concurrency, progress=progress))
    except WarmFailed as exc:
        print(f"skyfare: {exc}", file=sys.stderr)
        return 1
    for line, reason in sorted(warmer.invalid.items()):
        print(f"skyfare: {routes_path}, line {line}: refused by the API: {reason}", file=sys.stderr)
    for line, reason in sorted(warmer.failed.items()):
        print(f"skyfare: {routes_path}, line {line}: a search failed: {reason}", file=sys.stderr)
    elapsed_s = time.monotonic() - start
    print_summary(warmer.tally, len(routes), days, elapsed_s, sys.stdout)
    return 1 if warmer.tally.error else 0
