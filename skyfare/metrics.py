"""HTTP request metrics: `skyfare_http_requests_total` and `skyfare_http_request_duration_seconds`.

`route` is the matched route's name ("unmatched" for 404s, "unnamed" for a route registered
without a name), never the raw path: paths carry ids and airport pairs, which would explode the
number of series.

Why not prometheus_client's Counter/Histogram: each `inc`/`observe` takes a lock and scans the
buckets in Python, which cost ~10 % of the throughput of a cached search. Each event loop is one
thread, so plain integers suffice; a collector in the default registry turns them into the same
metric families at scrape time. Each route's series is looked up once, when the app starts
(`skyfare.plumbing`), so a request pays no look-up.

Each route's series start at 0 when the app starts (the plumbing looks them up then): its
duration histogram, its count of each 5xx status the service answers (`STARTED_STATUSES`:
those of skyfare.problems' kinds, 500 and 503), and its count of each status its OpenAPI
operation documents (its 2xx, its 4xx: `skyfare.openapi.route_statuses`; a HEAD route GET's).
`status` is open-ended, so no series of it exists until a request is answered with it, and one
that appears with its first request starts at 1, which `rate()` and `increase()` read as no
change: the 5xx share that deploy/prometheus/rules.yaml alerts on missed each route's first
error after a start, and a route's first 200 or 404 was missing from every rate by status.
A status no operation documents (a 304, the unmatched route's 404 and 405) still appears with
its first answer. The cost is bounded by the document, not by traffic: at most 13 series for a
(route, method), fewer than the 16 of its duration histogram; a fresh search process serves
131 series of `skyfare_http_requests_total` (57 before), booking 365 (117), analytics 68 (35),
of 2562, 3480 and 362 series in all (3 %, 7 % and 10 % more than before).

`exposition()` is what every `/metrics` serves: the families with at least one sample.
prometheus_client writes a labelled metric with no child yet as its `# HELP` and `# TYPE` lines
alone (its docs: labelled metrics "are not initialized when declared"); the text format allows
it, but Prometheus makes no series of them, so a fresh API process served 31 such pairs for
counters it may never count (the worker's, the relay's, booking's in a search process) and no
rule or dashboard can read them. client_golang writes nothing for an empty vector; so do we.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from skyfare.problems import ALL_KINDS

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"
UNNAMED = "unnamed"
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The server errors a route can answer, each counted from 0 (the module's docstring).
STARTED_STATUSES = tuple(sorted({kind.status for kind in ALL_KINDS if kind.status >= 500}))


class RouteMetrics:
    """Counts per status and the latency histogram of one (route, method); each status of
    `STARTED_STATUSES` and of `statuses` (those its operation documents) counted from 0."""

    __slots__ = ("buckets", "counts", "method", "route", "total_seconds")

    def __init__(self, route: str, method: str, statuses: Iterable[int] = ()) -> None:
        self.route = route
        self.method = method
        self.counts: dict[int, int] = dict.fromkeys(STARTED_STATUSES, 0)
        self.start(statuses)
        self.buckets = [0] * (len(BUCKETS) + 1)  # the last one is +Inf
        self.total_seconds = 0.0

    def start(self, statuses: Iterable[int]) -> None:
        """Count each of `statuses` from 0, if it is not counted yet."""
        for status in statuses:
            self.counts.setdefault(status, 0)

    def observe(self, status: int, seconds: float) -> None:
        counts = self.counts
        counts[status] = counts.get(status, 0) + 1
        self.buckets[bisect_left(BUCKETS, seconds)] += 1
        self.total_seconds += seconds


_by_labels: dict[tuple[str, str], RouteMetrics] = {}
_unmatched: dict[str, RouteMetrics] = {}


def route_metrics(route: str, method: str, statuses: Iterable[int] = ()) -> RouteMetrics:
    """The series of one route name and method (two apps in tests, or two routes of one name,
    share it), each of `statuses` counted from 0; the plumbing looks it up once per route,
    when the app starts, with the statuses the route's operation documents."""
    found = _by_labels.get((route, method))
    if found is None:
        found = _by_labels[(route, method)] = RouteMetrics(route, method)
    found.start(statuses)
    return found


def unmatched_metrics(method: str) -> RouteMetrics:
    """The series of requests no route matched, by method (any method name a client sends is
    folded into OTHER, so they cannot mint series)."""
    method = method if method in _KNOWN_METHODS else "OTHER"
    found = _unmatched.get(method)
    if found is None:
        found = _unmatched[method] = RouteMetrics(UNMATCHED, method)
    return found


class HttpCollector(Collector):
    """Exposes the counts at scrape time, in the Counter / Histogram format Prometheus expects."""

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "skyfare_http_requests",
            "HTTP requests answered, by route name, method and status.",
            labels=("route", "method", "status"),
        )
        duration = HistogramMetricFamily(
            "skyfare_http_request_duration_seconds",
            "Time to answer an HTTP request (streams: until the handler returns), by route name.",
            labels=("route", "method"),
        )
        for metrics in (*_by_labels.values(), *_unmatched.values()):
            labels = [metrics.route, metrics.method]
            for status, count in sorted(metrics.counts.items()):
                requests.add_metric([*labels, str(status)], count)
            cumulative, buckets = 0, []
            for bound, count in zip((*map(str, BUCKETS), "+Inf"), metrics.buckets, strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            duration.add_metric(labels, buckets, metrics.total_seconds)
        yield requests
        yield duration


REGISTRY.register(HttpCollector())


class _Sampled(Collector):
    """The default registry's families that have a sample (see the module's docstring)."""

    def collect(self) -> Iterator[Metric]:
        return (family for family in REGISTRY.collect() if family.samples)


_SAMPLED = _Sampled()


def exposition() -> bytes:
    """The text exposition of the default registry, without families that have no sample."""
    return generate_latest(_SAMPLED)
