"""The HTTP server `skyfare serve` runs: aiohttp's, plus what aiohttp leaves to the application.

aiohttp (3.14) bounds an idle keep-alive connection (`keepalive_timeout`) and the size of a
request head (`max_line_size`, `max_field_size`, `max_headers`), but not the time a client takes
to send a head or a body: one that trickles a byte now and then holds its connection for ever,
and a few thousand such clients hold the process's sockets (slowloris). And it answers a request
it cannot parse (a duplicate Content-Length, a header over the limit, bad chunking) in
`text/plain`, echoing the offending bytes, before any route or middleware sees the request: its
only hook for that is the protocol's `handle_error`.

So the protocol here is aiohttp's `RequestHandler` with three additions:
- Read deadlines. A request head must be complete within `header_read_timeout_s` of its first
  byte (of the connection itself, for the first request: a client that connects and says nothing
  is closed as well); its body within `body_read_timeout_s` of its head. Past the head deadline
  the connection is closed: there is no request yet to answer (Go's `ReadHeaderTimeout` and
  nginx's `client_header_timeout` do the same). Past the body deadline the body fails with a 408
  problem for the handler reading it, and the connection closes after that answer.
- Problem documents for protocol errors: 431 for a head over the size limits, 400 otherwise;
  the detail names the kind of error, never the bytes sent.
- The cached search's lane (skyfare/cached_lane.py). When every request the connection sent
  before is answered (written) and aiohttp's last answer keeps it open, each request parsed is
  offered to the lane first, which answers a fresh fare-cache hit of a search on the spot;
  aiohttp's handler sees only what the lane leaves, so answers still go out in the order their
  requests came. The lane steps aside while the transport's write buffer is full (aiohttp's path
  then waits for it to drain), and reads on past aiohttp's queue bound as `start` would.

`app_runner` builds the runner with all three; `create_app` alone (aiohttp's TestServer) has
none. aiohttp has no public hook for "a request head was parsed", so `data_received` reads
`RequestHandler`'s own fields (`_request_count`, `_messages`, `_force_close`; for the lane also
`_waiter`, the parser's `message_consumed`, `_paused`, `_buffer_paused` and
`_resume_reading_if_drained`, and the keep-alive deadline `start` moves after each answer,
`_next_keepalive_close_time` / `_keepalive_handle`), and `finish_response` is extended to count
aiohttp's answers. An aiohttp upgrade that changes them fails tests/e2e/test_http_protocol.py or
tests/e2e/cached_lane/ (pyproject.toml bounds aiohttp below its next minor release).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, NamedTuple

from aiohttp import http_exceptions, web
from aiohttp.http import RawRequestMessage
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from aiohttp.web_protocol import RequestHandler, RequestPayloadError
from aiohttp.web_request import BaseRequest

from kernel.errors import UnsupportedContentEncoding
from kernel.http import ACCEPTED_ENCODINGS, coding_refused
from skyfare import problems, security_headers
from skyfare.cached_lane import CachedSearchLane, lane_for
from skyfare.request_id import HEADER, new_request_id
from skyfare.settings import Settings

logger = logging.getLogger(__name__)


class ReadLimits(NamedTuple):
    head_s: float
    body_s: float


class SlowBody(web.HTTPRequestTimeout):
    """The request body did not arrive within its deadline (answered 408 by the plumbing)."""


def app_runner(app: web.Application, settings: Settings) -> web.AppRunner:
    """The runner `skyfare serve` starts `app` with: read deadlines and protocol problems."""
    limits = ReadLimits(settings.header_read_timeout_s, settings.body_read_timeout_s)
    return _Runner(
        app,
        limits,
        settings,
        access_log=None,
        keepalive_timeout=settings.keepalive_timeout_s,
    )


class _Runner(web.AppRunner):
    def __init__(
        self, app: web.Application, limits: ReadLimits, settings: Settings, **protocol: Any
    ) -> None:
        # cleanup(): stop listening, close idle connections, let requests in flight finish for
        # up to `shutdown_timeout_s` (then cancel them), then close the app's resources.
        super().__init__(
            app, handle_signals=False, shutdown_timeout=settings.shutdown_timeout_s, **protocol
        )
        self._limits = limits
        self._settings = settings
        self._protocol = protocol

    async def _make_server(self) -> web.Server:
        # BaseRunner's extension point. aiohttp's own server (built after the app's start-up)
        # lends its request handler and factory to ours, which differs only in its protocol.
        # The app has started: its search service, which the lane answers from, exists.
        plain = await super()._make_server()
        return _Server(
            plain.request_handler,
            request_factory=plain.request_factory,
            limits=self._limits,
            lane=lane_for(self.app, self._settings),
            **self._protocol,
        )


class _Server(web.Server):
    def __init__(
        self, handler: Any, *, limits: ReadLimits, lane: CachedSearchLane | None, **kwargs: Any
    ) -> None:
        super().__init__(handler, **kwargs)
        self._event_loop = asyncio.get_running_loop()
        self._limits = limits
        self._lane = lane
        self._protocol_kwargs = {k: v for k, v in kwargs.items() if k != "request_factory"}

    def __call__(self) -> RequestHandler:
        return GuardedRequestHandler(
            self,
            loop=self._event_loop,
            limits=self._limits,
            lane=self._lane,
            **self._protocol_kwargs,
        )


# aiohttp's own, called without `super()`'s lookup: this runs once per packet received.
_data_received = RequestHandler.data_received


class GuardedRequestHandler(RequestHandler):
    """aiohttp's protocol with read deadlines, problem-document protocol errors and the cached
    search's lane."""

    def __init__(
        self,
        manager: web.Server,
        *,
        limits: ReadLimits,
        lane: CachedSearchLane | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(manager, **kwargs)
        self._limits = limits
        self._lane = lane
        # Requests answered (written), by the lane or by aiohttp; and whether aiohttp's last
        # answer closes the connection. The lane answers only with nothing owed before it.
        self._answered = 0
        self._closing = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body: StreamReader | None = None  # the body of the last request head parsed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._head_timer = self._loop.call_later(self._limits.head_s, self._head_late)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._stop_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        heads = self._request_count  # aiohttp counts each request head it parses
        if self._lane is not None and heads == self._answered and not self._closing:
            # Every request so far is answered, and the connection stays open: what the lane
            # answers now, aiohttp's `start` never sees. If it is parked waiting for a request,
            # it is woken (as aiohttp's own `data_received` would) only for what the lane left;
            # if it is still finishing its last answer, it finds those when it looks.
            waiter = self._waiter
            self._waiter = None
            _data_received(self, data)
            self._waiter = waiter
            if self._messages:
                self._answer_from_lane()
                if self._messages and waiter is not None and not waiter.done():
                    waiter.set_result(None)
        else:
            _data_received(self, data)
        if self._request_count != heads:
            if self._head_timer is not None or self._body_timer is not None:
                self._stop_timers()
            if not self._messages:
                self._body = None  # the lane answered every request parsed
                return
            body = self._body = self._messages[-1][1]  # the newest head's body (aiohttp's queue)
            # A body-less request (a GET's) is aiohttp's one EMPTY_PAYLOAD: nothing to await.
            if body is not EMPTY_PAYLOAD and not body.is_eof():
                self._body_timer = self._loop.call_later(self._limits.body_s, self._body_late)
        elif self._body is None or self._body.is_eof():
            if self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None
            if data and self._head_timer is None and not self._force_close:
                # Bytes past the last complete body begin the next head: its deadline starts.
                self._head_timer = self._loop.call_later(self._limits.head_s, self._head_late)

    def _answer_from_lane(self) -> None:
        lane = self._lane
        assert lane is not None
        messages = self._messages
        answered = False
        # `_paused`: the transport's buffer is over its high-water mark.
        while messages and not self._paused:
            message, payload = messages[0]
            if message.__class__ is not RawRequestMessage:
                break  # a parse error (aiohttp's `_ErrInfo`): aiohttp answers it
            body = None
            try:
                if payload is EMPTY_PAYLOAD:
                    answer = lane.answer(message, None)
                elif payload.is_eof() and lane.takes_body(message, payload.total_bytes):
                    body = payload.read_nowait()
                    answer = lane.answer(message, body)
                else:
                    break
            except Exception:
                # A defect of the lane costs its request the fast answer, not the answer.
                logger.exception("the cached search lane failed; aiohttp's path answers")
                answer = None
            if answer is None:
                if body is not None:  # a body read cannot be put back: aiohttp gets a copy
                    messages[0] = (message, self._complete_payload(body))
                break
            messages.popleft()
            self._parser.message_consumed()  # type: ignore[union-attr]
            self._manager.requests_count += 1  # type: ignore[union-attr]
            self.transport.writelines(answer)  # type: ignore[union-attr]
            self._answered += 1
            answered = True
        if answered:
            # As aiohttp's `start` after an answer: the idle connection's deadline moves on.
            close_time = self._loop.time() + self._keepalive_timeout
            self._next_keepalive_close_time = close_time
            if self._keepalive_handle is None:
                self._keepalive_handle = self._loop.call_at(close_time, self._process_keepalive)
            # Past 32 queued requests aiohttp stops reading, and its `start` reads on once it
            # drained them; answered here, `start` never saw them, so this reads on instead.
            if self._buffer_paused and len(messages) <= self._msg_queue_resume_size:
                self._resume_reading_if_drained()

    async def finish_response(
        self, request: BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        # aiohttp's: each answer it writes, whatever its handler did, goes through here.
        resp, reset = await super().finish_response(request, resp, start_time)
        self._answered += 1
        if reset or not resp.keep_alive:
            self._closing = True
        return resp, reset

    def _complete_payload(self, body: bytes) -> StreamReader:
        payload = StreamReader(self, self._read_bufsize, loop=self._loop)
        payload.feed_data(body)
        payload.feed_eof()
        return payload

    def _stop_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        logger.info(
            "closing a connection from %s: no complete request head within %s s",
            self.peername,
            self._limits.head_s,
        )
        self.force_close()

    def _body_late(self) -> None:
        self._body_timer = None
        body = self._body
        if body is not None and not body.is_eof():
            logger.info(
                "a request body from %s did not arrive within %s s",
                self.peername,
                self._limits.body_s,
            )
            # Whoever reads the body (the handler, or aiohttp draining it after the answer)
            # gets this; the plumbing answers 408 and the connection closes after it.
            body.set_exception(
                SlowBody(text=f"the request body did not arrive within {self._limits.body_s:g} s")
            )

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        # aiohttp logs what it met draining a body after the answer as an unhandled error;
        # a body that ran out of time, or could not be read (bad chunking, a Content-Encoding
        # it does not decode as), has been answered already (408, 400, 415): the client's
        # doing, which must not fill the error log with tracebacks.
        exc = kwargs.get("exc_info")
        if isinstance(exc, SlowBody):
            logger.debug("closed a connection after its request body ran out of time")
            return
        if isinstance(exc, RequestPayloadError):
            logger.info("closed a connection after its request body could not be read: %s", exc)
            return
        super().log_exception(*args, **kwargs)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A problem document in place of aiohttp's text/plain echo of the request's bytes."""
        kind, detail = _protocol_problem(status, exc, self.max_field_size)
        request_id = new_request_id()
        if kind.status >= 500:
            logger.error("error handling a request (%s)", request_id, exc_info=exc)
        else:
            logger.info("refused a request from %s: %s", request.remote, detail)
        if request.writer.output_size > 0:
            raise ConnectionError("an answer was already under way: the connection is broken")
        response = problems.problem_response(kind, detail)
        if kind is problems.UNSUPPORTED_MEDIA:  # a coding aiohttp cannot decode here
            response.headers[ACCEPT_ENCODING] = ", ".join(ACCEPTED_ENCODINGS)
        security_headers.apply(response)
        response.headers[HEADER] = request_id
        response.force_close()
        return response


# What each parse error is called in a problem's detail: never the bytes the client sent.
_PARSE_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (http_exceptions.BadHttpMethod, "the request line has no valid method"),
    (http_exceptions.BadStatusLine, "the request line is malformed"),
    (http_exceptions.InvalidURLError, "the request target is not a valid URL"),
    (http_exceptions.InvalidHeader, "a header field is malformed"),
    (http_exceptions.TransferEncodingError, "the chunked body is malformed"),
    (http_exceptions.ContentLengthError, "the body does not match its Content-Length"),
    (http_exceptions.ContentEncodingError, "the body does not match its Content-Encoding"),
)
_PLAIN_REASON = re.compile(r"[A-Za-z][A-Za-z '-]{0,80}")


# aiohttp refuses a coding it knows but cannot decode in this process (`br` without Brotli,
# `zstd` without backports.zstd) while it parses the head, so no view sees the request; its
# message is the only place that names the coding. The same 415 as kernel.http gives a coding
# aiohttp passes on (tests/e2e/test_http_protocol.py pins the message for zstd).
_NO_DECODER = re.compile(r"Can not decode content-encoding: [^(]*\((\w+)\)\. Please install")
ACCEPT_ENCODING = "Accept-Encoding"


def _undecodable_coding(exc: BaseException | None) -> UnsupportedContentEncoding | None:
    if not isinstance(exc, http_exceptions.ContentEncodingError):
        return None
    found = _NO_DECODER.match(exc.message)
    return None if found is None else coding_refused(found.group(1))


def parse_error_detail(exc: BaseException | None) -> str | None:
    """What a parse error is called in a problem's detail (never the bytes sent), or None."""
    for cls, detail in _PARSE_ERRORS:
        if isinstance(exc, cls):
            return f"not a valid HTTP/1.1 request: {detail}"
    return None


def _protocol_problem(
    status: int, exc: BaseException | None, max_field_size: int
) -> tuple[problems.ProblemKind, str]:
    if status >= 500:
        return problems.INTERNAL, "An unexpected error occurred while handling the request."
    if isinstance(exc, http_exceptions.LineTooLong) or (
        isinstance(exc, BadHttpMessage) and "Too many headers" in exc.message
    ):
        return problems.HEADERS_TOO_LARGE, (
            f"the request line or a header field is over {max_field_size} bytes, "
            "or there are too many header fields"
        )
    if (refused := _undecodable_coding(exc)) is not None:
        return problems.UNSUPPORTED_MEDIA, refused.detail
    if (detail := parse_error_detail(exc)) is not None:
        return problems.BAD_REQUEST, detail
    # A fixed reason ("Missing 'Host' header in request"), or llhttp's, which comes before the
    # bytes it quotes ("Duplicate Content-Length:\n\n  b'...'"): only such plain text is repeated.
    if isinstance(exc, BadHttpMessage):
        reason = exc.message.split(":\n", 1)[0].rstrip(".")
        if _PLAIN_REASON.fullmatch(reason):
            return problems.BAD_REQUEST, f"not a valid HTTP/1.1 request: {reason}"
    return problems.BAD_REQUEST, "not a valid HTTP/1.1 request"
