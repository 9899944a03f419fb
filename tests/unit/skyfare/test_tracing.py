"""skyfare/tracing.py: off (no OTEL_EXPORTER_OTLP_ENDPOINT) nothing is imported or installed; on,
the SDK's provider and the instrumentations are; background store calls start no trace; the JSON
logs name the current span's trace. Processes of their own, so the instrumentations' global
patches never leak into other tests."""

from __future__ import annotations

import io
import json
import logging
import socket
import subprocess
import sys
import textwrap

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, format_trace_id

from kernel import tracing as domain_tracing
from skyfare.logs import JsonFormatter, RequestIdFilter
from skyfare.tracing import sampler


def _run(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_off_by_default_no_tracer_provider_and_no_instrumentation_is_installed() -> None:
    out = _run(
        """
        import sys
        import aiohttp, asyncpg, redis
        from aiohttp import web
        original = web.Application, aiohttp.ClientSession.__init__, asyncpg.connect
        from skyfare.app import create_app
        from skyfare.settings import load_settings
        from skyfare.tracing import start_tracing
        settings = load_settings({})
        assert start_tracing(settings, "all") is None
        create_app(settings, "all")
        assert (web.Application, aiohttp.ClientSession.__init__, asyncpg.connect) == original
        from kernel import tracing
        assert not tracing.enabled() and tracing.current_traceparent() is None
        with tracing.span("connector x") as span:
            assert span is None
        from opentelemetry import trace  # redis-py 8 imports the API itself (its metrics)
        print(type(trace.get_tracer_provider()).__name__)
        loaded = (
            "opentelemetry.instrumentation", "opentelemetry.sdk.trace", "opentelemetry.exporter"
        )
        print(sorted(m for m in sys.modules if m.startswith(loaded)))
        """
    )
    # The API's placeholder provider (every tracer a no-op), no SDK tracing, no instrumentation.
    assert out.splitlines() == ["ProxyTracerProvider", "[]"]


def test_on_with_an_endpoint_the_sdk_and_the_instrumentations_are_installed() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"
    out = _run(
        """
        from aiohttp import web
        original = web.Application
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from skyfare.settings import load_settings
        from skyfare.tracing import start_tracing
        tracing = start_tracing(load_settings(), "search")
        assert tracing is not None and web.Application is not original
        assert isinstance(trace.get_tracer_provider(), TracerProvider)
        print(tracing.provider.resource.attributes["service.name"])
        tracing.uninstall()
        assert web.Application is original
        """,
        OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
    )
    assert out == "skyfare-search"


def test_a_store_call_outside_any_trace_is_not_sampled_but_one_inside_is() -> None:
    tracer = TracerProvider(sampler=sampler()).get_tracer("test")
    orphan = tracer.start_span("SELECT", kind=SpanKind.CLIENT)
    request = tracer.start_span("GET /v1/search", kind=SpanKind.SERVER)
    with tracer.start_as_current_span("connector a"):
        inner = tracer.start_span("POST", kind=SpanKind.CLIENT)
    assert not orphan.is_recording()
    assert request.is_recording()
    assert inner.is_recording()


def test_json_logs_name_the_current_spans_trace() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    log = logging.getLogger("test.tracing")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    domain_tracing.set_tracer(TracerProvider().get_tracer("test"))
    try:
        with domain_tracing.span("notify order.confirmed") as span:
            assert span is not None
            log.info("sent")
        log.info("idle")
    finally:
        domain_tracing.set_tracer(None)
        log.removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["trace_id"] == format_trace_id(span.get_span_context().trace_id)
    assert lines[1]["trace_id"] == "-"
