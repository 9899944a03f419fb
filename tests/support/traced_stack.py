"""Tracing on, in this process, behind the real nginx gateway, for tests:

    async with traced_stack(database_url, redis_url, tmp_path) as stack:
        ... requests through stack.gateway (tests/support/gateway.py) ...
        stack.spans()       # every finished span, from the SDK's in-memory exporter

The app runs in the test's process (not as `skyfare serve`), so that the SDK's in-memory exporter
sees its spans: tracing is installed (skyfare/tracing.py `install`) before the sim, the app and
the notification worker are made, exactly as a process does when `OTEL_EXPORTER_OTLP_ENDPOINT`
is set, and uninstalled after. One `all` app is both nginx's search and booking upstream, with
its outbox relay; the notification worker reads the app's stream and mails through the
notification sim's SMTP sink.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import redis.asyncio as redis
from aiohttp import web
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from skyfare.app import create_app
from skyfare.gateway import write_config
from skyfare.settings import load_settings
from skyfare.tracing import install, sampler
from tests.e2e.conftest import closed_port
from tests.support.gateway import (
    GatewayStack,
    gateway_layout,
    gateway_prerequisites,
    gateway_world,
    running_nginx,
)
from tests.support.notify import running_notify_sim
from tests.support.notify_worker import running_worker
from tests.support.services import service_environment


class TracedStack:
    def __init__(self, gateway: GatewayStack, exporter: InMemorySpanExporter) -> None:
        self.gateway = gateway
        self._exporter = exporter

    def spans(self) -> Sequence[ReadableSpan]:
        return self._exporter.get_finished_spans()

    def client(self) -> aiohttp.ClientSession:
        """A session to the gateway that is a client from outside: not traced (the client
        instrumentation, installed in this process, would send a `traceparent` of its own)."""
        session = self.gateway.session()
        AioHttpClientInstrumentor.uninstrument_session(session)
        return session


@asynccontextmanager
async def traced_stack(
    database_url: str, redis_url: str, directory: Path
) -> AsyncIterator[TracedStack]:
    await gateway_prerequisites(database_url)
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=sampler())  # as in production
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing = install(provider)
    try:
        port = closed_port()
        layout = gateway_layout(search_ports=(port,), booking_port=port)
        config = write_config(layout, directory)
        stream = f"test:{uuid.uuid4().hex}:events"
        client = redis.Redis.from_url(redis_url, socket_timeout=3)
        async with gateway_world(layout) as (sim, payments), running_notify_sim() as mail:
            env = service_environment(
                database_url, redis_url, sim,
                SKYFARE_EVENT_STREAM=stream, SKYFARE_EVENT_RELAY_INTERVAL_S="0.02",
            )  # fmt: skip
            gateway = GatewayStack(sim, payments, env, layout, directory)
            runner = web.AppRunner(create_app(load_settings(env)), access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, "127.0.0.1", port).start()
                async with (
                    running_worker(client, stream, mail),
                    running_nginx(config),
                ):
                    yield TracedStack(gateway, exporter)
            finally:
                await runner.cleanup()
                await client.delete(stream, f"{stream}:dead")
                await client.aclose()
    finally:
        tracing.uninstall()
        provider.shutdown()
