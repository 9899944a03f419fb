"""The result file of one `make bench` run: typed, versioned, and read back by `bench.compare`.

`bench/results/<date>-<short sha>.json` holds one `Result`. Each measurement keeps its runs and
their median (the figure reported); a measurement that could not run is `None` with a reason in
`skipped`. `commands` holds the exact command lines that produced the figures, so they can be
re-run by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

SCHEMA = 1


class ToolCpu(msgspec.Struct, frozen=True):
    """CPU time one tool used over a phase: `cpu_s / wall_s` is how many cores it kept busy."""

    name: str
    cpu_s: float
    wall_s: float

    @property
    def cores_busy(self) -> float:
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0


class Machine(msgspec.Struct, frozen=True):
    hostname: str
    os: str
    cpu_model: str
    cpus: int
    server_cores: list[int]
    loadgen_cores: list[int]
    pinned: bool  # False on one core: server and load generator share it
    load_average_before: list[float]
    sim_cores: list[int] = []  # the sim airlines (the outside world): beside the load generators
    load_average_after: list[float] = []
    python: str = ""
    packages: dict[str, str] = {}  # aiohttp, uvloop, msgspec, asyncpg, locust, …
    tools: dict[str, str] = {}  # wrk, PostgreSQL, Redis versions
    git_sha: str = ""
    git_dirty: bool = False


class Ceiling(msgspec.Struct, frozen=True):
    """Cached GET /v1/search against a bare aiohttp handler returning the same bytes (wrk)."""

    workers: int
    wrk: str
    skyfare_rps: list[float]
    baseline_rps: list[float]
    skyfare_median_rps: float
    baseline_median_rps: float
    ratio: float
    target: float
    meets_target: bool
    non_2xx: int
    response_bytes: int
    cpu: list[ToolCpu] = []


class CeilingRow(msgspec.Struct, frozen=True):
    """One row of the ceiling table: a Skyfare request against the bare handler, in turns.

    `cpu_us_*`: server CPU (user + system, /proc) per request, median of the turns: what the
    ratio would be were each side alone on its cores, the steadier figure on a shared machine.
    """

    name: str  # "get_1w", "post_1w", "get_2w"
    method: str
    workers: int
    skyfare_rps: list[float]
    baseline_rps: list[float]
    skyfare_median_rps: float
    baseline_median_rps: float
    ratio: float
    target: float
    meets_target: bool
    cpu_us_skyfare: float | None = None
    cpu_us_baseline: float | None = None
    cpu_ratio: float | None = None
    non_2xx: int = 0


class CoreBudget(msgspec.Struct, frozen=True):
    """The CPU 2 workers would need at the scaling target (`bench.ceilings.core_budget`): at
    `target_rps`, the API workers' `server_us`, wrk's `wrk_us` and the rest of the stack's
    `rest_us` per request (the 2-worker turns' medians) make `server_cores` + `wrk_cores` +
    `rest_cores`, beside the machine's `cores`."""

    target_rps: float
    server_us: float
    wrk_us: float
    server_cores: float
    wrk_cores: float
    cores: int
    rest_us: float | None = None
    rest_cores: float | None = None
    # The machine's cores busy in the 2-worker turns as they ran (/proc/stat: the kernel's
    # softirqs, which no process is charged with, included).
    busy_cores: float | None = None

    @property
    def needed_cores(self) -> float:
        return round(self.server_cores + self.wrk_cores + (self.rest_cores or 0.0), 2)


class Ceilings(msgspec.Struct, frozen=True):
    """Every ceiling row measured in the same alternating turns (wrk), and 2 workers ÷ 1."""

    wrk: str
    turns: int
    seconds: int
    response_bytes: int
    rows: list[CeilingRow]
    scaling: float | None = None  # Skyfare GET req/s with 2 workers ÷ with 1
    scaling_target: float = 1.6
    # The bare handler's 2 workers ÷ 1, on the same cores as Skyfare's two rows: what this
    # machine's placement lets any server scale by (None before 2026-12-04).
    baseline_scaling: float | None = None
    cpu: list[ToolCpu] = []
    placement: str = ""  # where each stack's processes ran (bench/placement.py); "" before
    core_budget: CoreBudget | None = None  # None before 2026-12-07

    def row(self, name: str) -> CeilingRow | None:
        return next((r for r in self.rows if r.name == name), None)


class Bulk(msgspec.Struct, frozen=True):
    """`POST /v1/fares/bulk` of `queries` cached queries: time to the response's first and last
    NDJSON line over loopback (ms), `requests` per run, the median of each run's medians."""

    queries: int
    distinct: int
    requests: int
    runs: list[dict[str, float]]
    median: dict[str, float]
    target_first_ms: float = 2.0
    target_last_ms: float = 10.0
    cpu: list[ToolCpu] = []


class UsageCost(msgspec.Struct, frozen=True):
    """Cached GET /v1/search with usage events on ÷ off: two `skyfare serve` side by side
    (bench/usage_cost.py), alternating wrk turns; `cpu_ratio` is off ÷ on in CPU per request."""

    wrk: str
    on_rps: list[float]
    off_rps: list[float]
    on_median_rps: float
    off_median_rps: float
    ratio: float
    cpu_us_per_request: dict[str, list[float]]
    cpu_ratio: float
    target: float
    meets_target: bool
    non_2xx: int


class Cold(msgspec.Struct, frozen=True):
    """Uncached searches at a fixed arrival rate (open loop), airlines at fixed latencies."""

    route: str
    rate: float
    duration_s: float
    airline_latency_ms: dict[str, float]
    slowest_airline_ms: float
    target_p50_over_ms: float
    target_p99_over_ms: float
    runs: list[dict[str, float]]
    median: dict[str, float]
    cpu: list[ToolCpu] = []
    placement: str = ""  # which processes ran on which cores (bench/harness_cold.py)


class Notify(msgspec.Struct, frozen=True):
    """Notifications end to end for one `skyfare worker` (bench/harness_notify.py): `order.held`
    outbox rows → relay → stream → worker → the sim's SMTP sink and SMS provider (one mail and
    one SMS per event). `exactly_once`: in every run each sink held exactly `events` messages once
    the worker had acked them all."""

    events: int
    batch_size: int
    per_tx: int
    runs: list[dict[str, float]]
    median: dict[str, float]
    exactly_once: bool
    target_events_per_s: float = 1000.0
    cpu: list[ToolCpu] = []


class RssSample(msgspec.Struct, frozen=True):
    at_s: float  # since the load started
    rss_mib: dict[str, float]  # by worker pid
    l1_bytes: float | None = None  # the L1's size then, from the API's /metrics (None: unread)


class RssWorker(msgspec.Struct, frozen=True):
    pid: int
    after_warmup_mib: float
    end_mib: float
    growth_mib: float  # end minus after warm-up
    slope_mib_per_min: float  # least squares over the samples after warm-up
    window_slope_mib_per_min: float = 0.0  # the same over the last `flat_window_s` only


class Rss(msgspec.Struct, frozen=True):
    """Each API worker's resident set under the locust mix (bench/harness_rss.py), MiB.

    `flat`: every worker's least-squares slope over the last `flat_window_s` seconds is within
    ±`flat_slope_mib_per_min`. `l1_bytes`: the L1's size read from the API's /metrics at the end
    (None: the server exposes no such figure), against its bound `l1_max_bytes`."""

    users: int
    duration_s: float
    warmup_s: float
    every_s: float
    flat_window_s: float
    flat_slope_mib_per_min: float
    per_worker: list[RssWorker]
    flat: bool
    l1_max_bytes: int
    l1_bytes: float | None = None
    l1_note: str = ""
    samples: list[RssSample] = []
    # When the L1 first reached its byte bound (None: it did not, or its size was not read).
    # The judged window starts no earlier: filling the L1 is warm-up, not growth.
    l1_full_at_s: float | None = None


class Booking(msgspec.Struct, frozen=True):
    """POST /v1/orders (hold) orders/s beside a raw asyncpg loop writing rows of the same shape."""

    concurrency: int
    duration_s: float
    runs: list[dict[str, float]]
    median: dict[str, float]
    ratio: float  # API orders/s over raw orders/s
    # Server CPU per order, raw loop + its PostgreSQL ÷ API worker + its PostgreSQL (issue 18);
    # None in results written before it was measured.
    cpu_ratio: float | None = None
    statements: list[str] = []  # what one raw "order" writes
    cpu: list[ToolCpu] = []
    # Where the processes ran (bench/placement.py); "" in results written before it was recorded.
    placement: str = ""
    # The bare hold (bench/bare_hold.py: a hold's I/O, no Skyfare code) orders/s over the raw
    # loop's: the floor of `ratio` on these libraries; None in results from before it was run.
    bare_ratio: float | None = None


class Endpoint(msgspec.Struct, frozen=True):
    """One row of locust's stats: an endpoint (or the aggregate), times in milliseconds."""

    method: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    average: float
    max: float


class Failure(msgspec.Struct, frozen=True):
    method: str
    name: str
    error: str
    occurrences: int


class MixedRun(msgspec.Struct, frozen=True):
    endpoints: list[Endpoint]
    total: Endpoint
    failures: list[Failure] = []


class PriceChecks(msgspec.Struct, frozen=True):
    """Re-pricings of offers the fare cache held during the runs, from the API's
    `skyfare_cache_price_checks_total{outcome}`: whether the cached price was the price."""

    held: int = 0
    changed: int = 0
    gone: int = 0

    @property
    def checked(self) -> int:
        return self.held + self.changed + self.gone

    @property
    def held_share(self) -> float | None:
        """The cache's price accuracy: the share of checks whose price held."""
        return self.held / self.checked if self.checked else None


class Mixed(msgspec.Struct, frozen=True):
    """The locust scenario for a fixed duration; `median` per endpoint over the runs."""

    users: int
    spawn_rate: float
    duration_s: int
    user_classes: list[str]
    runs: list[MixedRun]
    median: list[Endpoint]
    median_total: Endpoint
    cpu: list[ToolCpu] = []
    price_checks: PriceChecks | None = None  # summed over the runs; None: /metrics unreadable


class Skipped(msgspec.Struct, frozen=True):
    measurement: str
    reason: str


class Result(msgspec.Struct, frozen=True):
    date: str
    started_at: str
    sha: str
    quick: bool
    command: str  # how the harness was started
    machine: Machine
    commands: dict[str, list[str]]  # measurement → the commands that produced it
    ceiling: Ceiling | None = None
    ceilings: Ceilings | None = None
    bulk: Bulk | None = None
    cold: Cold | None = None  # results before 2026-12-04: the one rate measured
    cold_by_rate: list[Cold] = []  # since: one per rate (issue 18: 40/s and 200/s)
    booking: Booking | None = None
    mixed: Mixed | None = None
    usage: UsageCost | None = None
    notify: Notify | None = None
    rss: Rss | None = None
    skipped: list[Skipped] = []
    notes: list[str] = []
    wall_s: float = 0.0
    schema: int = SCHEMA


def colds(result: Result) -> list[Cold]:
    """The cold-search measurements of a result, one per rate, old results' single one too."""
    return result.cold_by_rate or ([result.cold] if result.cold is not None else [])


def encode(result: Result) -> bytes:
    return msgspec.json.format(msgspec.json.encode(result), indent=2) + b"\n"


def decode(data: bytes) -> Result:
    return msgspec.json.decode(data, type=Result)


def load(path: Path) -> Result:
    return decode(path.read_bytes())


def emit_json(result: object, path: Path | None) -> None:
    """An A/B driver's result: printed as indented JSON, and written to `path` too when given
    (the file `bench/results/` keeps beside its write-up)."""
    text = json.dumps(result, indent=2)
    if path is not None:
        path.write_text(text + "\n")
    print(text)
