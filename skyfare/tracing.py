"""OpenTelemetry tracing: on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, absent otherwise.

On, each process (an API worker, the relay, the notification worker) installs the SDK's tracer
provider with a batching OTLP exporter, and the instrumentations of aiohttp's server and client,
asyncpg and redis-py. A request's server span continues the W3C `traceparent` the gateway
passed (deploy/nginx makes one when the client sent none), so one trace holds the request, each
airline call (a `connector <name>` span from the fan-out, with its HTTP client span), the SQL
and Redis commands, the payment gateway call, and — through the `traceparent` an event carries
in the outbox (booking/events.py) — the notification worker's send, in its own process later.

Off (the default), nothing is installed: no tracer provider, no instrumentation patching
aiohttp, asyncpg or redis, and the SDK is not even imported; the domain's hooks
(kernel/tracing.py) test one module global and return.

The exporter speaks OTLP over HTTP with protobuf (opentelemetry-exporter-otlp-proto-http), not
gRPC: it rides on `requests`, while the gRPC exporter brings grpcio (a large native wheel, its
own threads and event loop) into every process; every collector accepts both (port 4318).

`install(provider)` applies the same to a provider of the caller's (the tests give one with
the SDK's in-memory exporter); `Tracing.uninstall()` undoes it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from kernel import tracing as domain_tracing

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import Sampler
    from opentelemetry.trace import Link, TraceState
    from opentelemetry.util.types import Attributes

    from skyfare.settings import Settings

logger = logging.getLogger(__name__)

TRACER_NAME = "skyfare"
TRACES_PATH = "/v1/traces"  # the OTLP/HTTP path of traces under the base endpoint


class Instrumentor(Protocol):
    """What Tracing needs of an OpenTelemetry instrumentor (BaseInstrumentor is untyped)."""

    def uninstrument(self, **kwargs: Any) -> object: ...


class Tracing:
    """Tracing as installed in this process: its provider and the instrumentations applied."""

    def __init__(self, provider: TracerProvider, instrumentors: list[Instrumentor]) -> None:
        self.provider = provider
        self._instrumentors = instrumentors

    def uninstall(self) -> None:
        """Undo the instrumentations and the domain's tracer (the provider is the caller's)."""
        for instrumentor in reversed(self._instrumentors):
            instrumentor.uninstrument()
        domain_tracing.set_tracer(None)


def start_tracing(settings: Settings, service: str) -> Tracing | None:
    """Tracing for this process of `service` when an OTLP endpoint is set, else None (and
    nothing is imported or installed). Spans are batched and exported in the background; the
    provider flushes what is left when the process exits."""
    if settings.otel_endpoint is None:
        return None
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # service.name is ours; OTEL_RESOURCE_ATTRIBUTES adds the rest (environment, region, pod).
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: f"skyfare-{service}"}), sampler=sampler()
    )
    endpoint = settings.otel_endpoint.rstrip("/") + TRACES_PATH
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    logger.info("tracing: spans of skyfare-%s exported to %s", service, endpoint)
    return install(provider)


def sampler() -> Sampler:
    """Continue the caller's decision (the gateway's `traceparent` flag) and sample every other
    new trace, but for a trace that would begin with a database or Redis call: the background
    loops (the outbox relay's and the worker's polls, the sweepers) make several a second, and
    a trace of one `SELECT` with no request around it says nothing."""
    from opentelemetry.sdk.trace import sampling
    from opentelemetry.trace import SpanKind

    class NoOrphanCalls(sampling.Sampler):
        def should_sample(
            self,
            parent_context: Context | None,
            trace_id: int,
            name: str,
            kind: SpanKind | None = None,
            attributes: Attributes = None,
            links: Sequence[Link] | None = None,
            trace_state: TraceState | None = None,
        ) -> sampling.SamplingResult:
            if kind is SpanKind.CLIENT:
                return sampling.SamplingResult(sampling.Decision.DROP)
            return sampling.ALWAYS_ON.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )

        def get_description(self) -> str:
            return "NoOrphanCalls"

    return sampling.ParentBased(root=NoOrphanCalls())


def install(provider: TracerProvider) -> Tracing:
    """Apply the instrumentations with `provider`, and give the domain its tracer. Call it
    before the app and its sessions and pools are made: the aiohttp server instrumentation
    replaces `web.Application`, the client one hooks `ClientSession.__init__`."""
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    applied: list[Instrumentor] = []
    for instrumentor in (
        AioHttpServerInstrumentor(),
        AioHttpClientInstrumentor(),
        AsyncPGInstrumentor(),  # type: ignore[no-untyped-call]
        RedisInstrumentor(),
    ):
        with warnings.catch_warnings():
            # The server instrumentation subclasses web.Application (to put its middleware
            # first), which aiohttp discourages with a DeprecationWarning; it works, and it is
            # the instrumentation's documented way.
            warnings.filterwarnings("ignore", "Inheritance class", DeprecationWarning)
            # A version conflict raises: tracing that silently instruments nothing is worse.
            instrumentor.instrument(tracer_provider=provider, raise_exception_on_conflict=True)
        applied.append(instrumentor)
    domain_tracing.set_tracer(provider.get_tracer(TRACER_NAME))
    return Tracing(provider, applied)


def current_trace_id() -> str | None:
    """The current span's trace id (32 hex digits) for a log line; None when tracing is off
    or no span is current."""
    if not domain_tracing.enabled():
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
