"""A real `skyfare serve --service search` process with OTEL_EXPORTER_OTLP_ENDPOINT set exports
its spans over OTLP/HTTP (protobuf) to that endpoint: here a collector stand-in of the test's,
which decodes what it receives with OpenTelemetry's own protobuf messages."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.e2e.conftest import closed_port
from tests.support.booking import in_days
from tests.support.fake_server import serve
from tests.support.payment_sim import eventually
from tests.support.services import ServiceProcess, service_environment
from tests.support.sim import fast_profiles, running_sim

pytestmark = [pytest.mark.slow]


class Collector:
    """Receives `POST /v1/traces` as a collector's OTLP/HTTP receiver does."""

    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []

    async def traces(self, request: web.Request) -> web.Response:
        assert request.content_type == "application/x-protobuf"
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.read())
        self.requests.append(message)
        return web.Response(body=b"", content_type="application/x-protobuf")

    def spans(self, trace_id: str) -> list[tuple[str, str]]:
        """(service.name, span name) of every span received in `trace_id`."""
        found = []
        for message in self.requests:
            for resource_spans in message.resource_spans:
                attributes = {
                    a.key: a.value.string_value for a in resource_spans.resource.attributes
                }
                for scope in resource_spans.scope_spans:
                    found += [
                        (attributes.get("service.name", ""), span.name)
                        for span in scope.spans
                        if span.trace_id.hex() == trace_id
                    ]
        return found


@pytest.fixture
async def collector() -> AsyncIterator[tuple[Collector, str]]:
    received = Collector()
    app = web.Application()
    app.router.add_post("/v1/traces", received.traces)
    async with serve(app) as url:
        yield received, url


async def test_a_search_process_exports_its_spans_over_otlp_http_when_an_endpoint_is_set(
    database_url: str, redis_url: str, collector: tuple[Collector, str]
) -> None:
    received, endpoint = collector
    port = closed_port()
    async with running_sim(profiles=fast_profiles()) as sim:
        env = service_environment(
            database_url, redis_url, sim, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
            OTEL_BSP_SCHEDULE_DELAY="100",  # export every 0.1 s, not 5 s
        )  # fmt: skip
        service = await ServiceProcess.start("search", port, env)
        try:
            trace_id = os.urandom(16).hex()
            headers = {"traceparent": f"00-{trace_id}-{os.urandom(8).hex()}-01"}
            query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(43),
                     "cache": "false"}  # fmt: skip
            async with (
                aiohttp.ClientSession() as session,
                session.get(
                    f"http://127.0.0.1:{port}/v1/search", params=query, headers=headers
                ) as r,
            ):
                assert r.status == 200
                asked = {c["name"] for c in (await r.json())["meta"]["connectors"]}

            async def spans() -> list[tuple[str, str]]:
                await asyncio.sleep(0)
                return received.spans(trace_id)

            # Every span of the search, the server's too: it ends after the response was sent,
            # so it may come in a batch after the connectors' (the test once read the spans
            # between the two and missed it).
            expected = {"GET /v1/search", *(f"connector {name}" for name in asked)}

            def complete(found: list[tuple[str, str]]) -> bool:
                return expected <= {name for _, name in found}

            found = await eventually(spans, complete, timeout=30)
        finally:
            assert await service.stop() == 0
    assert ("skyfare-search", "GET /v1/search") in found
    assert {service for service, _ in found} == {"skyfare-search"}
