"""kernel/http1.py's connections over sockets: the pool's cap, reuse and its limits (idle timeout,
a connection the server closed, a call cancelled part-way), what is sent (methods, targets,
headers) and answers over the size limit."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_trace_id

from kernel import tracing
from kernel.http1 import BadAnswer, ClosedBeforeAnswer, Http1Origin
from tests.support.http1_server import Received, ok, server


async def test_methods_targets_and_headers_go_out_as_asked() -> None:
    async with server() as srv:
        origin = Http1Origin(srv.url, {"User-Agent": "skyfare/0.1"}, connections=2)
        got = await origin.request("GET", "/air/bookings?reference=AB%2012")
        posted = await origin.request(
            "POST", "/air/soap", body=b"<x/>", headers={"SOAPAction": '"urn:Shop"'}
        )
        await origin.close()

    assert got == (200, b"GET /air/bookings?reference=AB%2012 HTTP/1.1|")
    assert posted == (200, b"POST /air/soap HTTP/1.1|<x/>")
    first, second = srv.received
    assert first.headers["user-agent"] == "skyfare/0.1"
    assert first.headers["host"] == srv.url.split("/")[2]
    assert "content-length" not in first.headers
    assert second.headers["soapaction"] == '"urn:Shop"'
    assert second.headers["content-length"] == "4"
    assert [r.connection for r in srv.received] == [1, 1]


async def test_a_header_with_a_line_break_is_refused_before_anything_is_sent() -> None:
    async with server() as srv:
        origin = Http1Origin(srv.url, {}, connections=1)
        with pytest.raises(ValueError, match="line break"):
            await origin.request("GET", headers={"X-Note": "a\r\nX-Evil: 1"})
        await origin.close()
    assert srv.received == []


async def test_no_more_connections_than_the_cap_and_the_others_wait_for_one() -> None:
    gate = asyncio.Event()
    async with server(gate=gate) as srv:
        origin = Http1Origin(srv.url, {}, connections=2)
        calls = [asyncio.create_task(origin.request("POST", body=b"%d" % i)) for i in range(6)]
        await srv.arrivals.get()  # two requests are at the server, held there
        await srv.arrivals.get()
        for _ in range(20):
            await asyncio.sleep(0)
        held = len(srv.received)
        gate.set()
        answers = await asyncio.gather(*calls)
        await origin.close()

    assert held == 2
    assert sorted(body.split(b"|")[1] for _, body in answers) == [b"%d" % i for i in range(6)]
    assert srv.opened == 2


async def test_an_idle_connection_past_its_timeout_is_not_reused() -> None:
    async with server() as srv:
        origin = Http1Origin(srv.url, {}, connections=1, idle_timeout_s=0.0)
        await origin.request("GET")
        await origin.request("GET")
        await origin.close()
    assert [r.connection for r in srv.received] == [1, 2]


def _drop_the_second_on_the_first_connection(request: Received) -> bytes | None:
    # The server closing a kept-alive connection just as the next request arrives on it.
    if request.connection == 1 and request.body:
        return None
    return ok(request)


async def test_a_kept_alive_connection_closed_under_an_idempotent_request_is_retried_once() -> None:
    async with server(_drop_the_second_on_the_first_connection) as srv:
        origin = Http1Origin(srv.url, {}, connections=1)
        await origin.request("GET")
        answer = await origin.request("PUT", body=b"again")
        await origin.close()

    assert answer == (200, b"PUT /air HTTP/1.1|again")
    assert [(r.connection, r.body) for r in srv.received] == [
        (1, b""),
        (1, b"again"),
        (2, b"again"),
    ]


async def test_a_post_the_server_may_have_received_is_never_sent_twice() -> None:
    async with server(_drop_the_second_on_the_first_connection) as srv:
        origin = Http1Origin(srv.url, {}, connections=1)
        await origin.request("GET")
        with pytest.raises(ClosedBeforeAnswer):
            await origin.request("POST", body=b"hold")
        after = await origin.request("GET")  # and the pool goes on, on a new connection
        await origin.close()

    assert [(r.connection, r.body) for r in srv.received] == [(1, b""), (1, b"hold"), (2, b"")]
    assert after[0] == 200


async def test_a_call_cancelled_mid_answer_drops_its_connection() -> None:
    half_sent = asyncio.Event()

    def half_then_whole(request: Received) -> bytes:
        if request.body == b"slow":
            half_sent.set()
            return b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart of it"
        return ok(request)

    async with server(half_then_whole) as srv:
        origin = Http1Origin(srv.url, {}, connections=1)
        call = asyncio.create_task(origin.request("POST", body=b"slow"))
        await half_sent.wait()
        for _ in range(20):  # let the client read the head and part of the body
            await asyncio.sleep(0)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        answer = await origin.request("POST", body=b"next")
        await origin.close()

    assert answer == (200, b"POST /air HTTP/1.1|next")  # not the rest of the cancelled answer
    assert [r.connection for r in srv.received] == [1, 2]


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 31\r\n\r\n" + b"x" * 31,
        b"Transfer-Encoding: chunked\r\n\r\n10\r\n%s\r\n10\r\n%s\r\n0\r\n\r\n"
        % (b"x" * 16, b"y" * 16),
        b"Connection: close\r\n\r\n" + b"x" * 31,
    ],
    ids=["by length", "chunked", "to the end"],
)
async def test_a_body_over_the_limit_is_refused_and_its_connection_dropped(framing: bytes) -> None:
    def too_big(request: Received) -> bytes:
        if request.body == b"big":
            return b"HTTP/1.1 200 OK\r\n" + framing
        return ok(request)

    async with server(too_big) as srv:
        origin = Http1Origin(srv.url, {}, connections=1, max_body_bytes=30)
        with pytest.raises(BadAnswer, match="too long"):
            await origin.request("POST", body=b"big")
        assert (await origin.request("POST", body=b"ok"))[1] == b"POST /air HTTP/1.1|ok"
        await origin.close()

    assert [r.connection for r in srv.received] == [1, 2]


async def test_a_target_on_another_origin_is_refused() -> None:
    origin = Http1Origin("http://127.0.0.1:9/air?wsdl", {}, connections=1)
    assert origin.path == "/air?wsdl"
    assert origin.target("http://127.0.0.1:9/air/types.xsd") == "/air/types.xsd"
    with pytest.raises(ValueError, match=r"is not on http://127\.0\.0\.1:9"):
        origin.target("http://127.0.0.1:10/air/types.xsd")


async def test_with_tracing_on_a_request_is_a_client_span_whose_traceparent_goes_with_it() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.set_tracer(provider.get_tracer("test"))
    try:
        async with server() as srv:
            origin = Http1Origin(srv.url, {}, connections=1)
            await origin.request("POST", "/air/search", body=b"q")
            await origin.close()
    finally:
        tracing.set_tracer(None)

    (span,) = exporter.get_finished_spans()
    assert span.kind is SpanKind.CLIENT
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200
    assert span.context is not None
    sent = srv.received[0].headers["traceparent"]
    assert sent.split("-")[1:3] == [
        format_trace_id(span.context.trace_id),
        f"{span.context.span_id:016x}",
    ]


async def test_an_interim_answer_is_skipped_for_the_final_one() -> None:
    # Before, a 103 was taken for the answer and the final one for the next request's.
    def early_hints(request: Received) -> bytes:
        return b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + ok(request)

    async with server(early_hints) as srv:
        origin = Http1Origin(srv.url, {}, connections=1)
        first = await origin.request("POST", body=b"1")
        second = await origin.request("POST", body=b"2")
        await origin.close()

    assert (first, second) == ((200, b"POST /air HTTP/1.1|1"), (200, b"POST /air HTTP/1.1|2"))
    assert [r.connection for r in srv.received] == [1, 1]
