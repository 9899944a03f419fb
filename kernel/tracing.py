"""Trace context for the domain packages, free when tracing is off.

Domain code never imports `skyfare/`, and must cost nothing when no `OTEL_EXPORTER_OTLP_ENDPOINT`
is set. So this module holds one tracer, `None` until `skyfare/tracing.py` installs the
OpenTelemetry SDK and sets it; until then `span()` only yields and `current_traceparent()` only
returns None (no OpenTelemetry call is made: the API is imported only when a tracer is set).

What crosses a queue carries its trace as a W3C `traceparent` string (the outbox event, the
stream entry): `current_traceparent()` where it is written, `span(..., parent=...)` where it
is read, so the consumer's work joins the producer's trace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

_tracer: Tracer | None = None

TRACEPARENT = "traceparent"
AttributeValue = str | int | float | bool


def set_tracer(tracer: Tracer | None) -> None:
    """Turn the domain's spans on (a tracer) or off (None); called by skyfare/tracing.py only."""
    global _tracer
    _tracer = tracer


def enabled() -> bool:
    return _tracer is not None


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, to carry across a queue; None when tracing
    is off or no span is current."""
    if _tracer is None:
        return None
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


# Off: one shared do-nothing context manager, no generator made per call.
_OFF: AbstractContextManager[None] = nullcontext()


def span(
    name: str,
    *,
    parent: str | None = None,
    consumer: bool = False,
    client: bool = False,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> AbstractContextManager[Span | None]:
    """A span around the block (None when tracing is off). `parent`: a `traceparent` carried
    across a queue, whose trace the span joins (else the current span is the parent);
    `consumer`: the span handles a message (OpenTelemetry's CONSUMER kind); `client`: the span
    is a call to another service (CLIENT), which `current_traceparent()` then carries to it."""
    if _tracer is None:
        return _OFF
    return _span(_tracer, name, parent, consumer, client, attributes)


@contextmanager
def _span(
    tracer: Tracer,
    name: str,
    parent: str | None,
    consumer: bool,
    client: bool,
    attributes: Mapping[str, AttributeValue] | None,
) -> Iterator[Span]:
    from opentelemetry import propagate, trace

    context = propagate.extract({TRACEPARENT: parent}) if parent else None
    kind = trace.SpanKind.INTERNAL
    if consumer:
        kind = trace.SpanKind.CONSUMER
    elif client:
        kind = trace.SpanKind.CLIENT
    with tracer.start_as_current_span(
        name, context=context, kind=kind, attributes=dict(attributes or {})
    ) as current:
        yield current
