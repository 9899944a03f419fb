"""Request ids: echo a sane client `X-Request-Id`, else mint one; the current one is a ContextVar.
The trace id of a W3C `traceparent` the request came with (the gateway's, a caller's) is one too,
so a log line can name the trace it belongs to.

A client id is echoed only if it is short and made of URL-safe characters, so it can go into logs
and headers as-is (no header injection, no megabyte log lines). Minted ids are a random per-process
prefix plus a counter: unique across workers and restarts, and cheaper than a uuid4 per request.
"""

from __future__ import annotations

import itertools
import os
import re
from contextvars import ContextVar

HEADER = "X-Request-Id"
MAX_LENGTH = 128

_SANE = re.compile(r"[A-Za-z0-9._:+/=@-]{1,%d}" % MAX_LENGTH)  # noqa: UP031 - a regex quantifier
_PREFIX = os.urandom(6).hex()
_COUNTER = itertools.count(1)
_MINTED_HEAD = f"{_PREFIX}-"  # joined to the counter's hex: ~20 % cheaper than an f-string

# The current request's id, for log records ("-" outside a request).
current_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# The trace id of the current request's `traceparent` ("-": none, or not a valid one).
current_trace_id: ContextVar[str] = ContextVar("trace_id", default="-")

TRACEPARENT = "traceparent"
# version "-" trace-id "-" parent-id "-" flags (W3C Trace Context, level 1), lower-case hex.
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
_ZERO_TRACE = "0" * 32
_ZERO_PARENT = "0" * 16


def new_request_id() -> str:
    return _MINTED_HEAD + "%x" % next(_COUNTER)  # noqa: UP031 - cheaper than format()


def request_id_from(header_value: str | None) -> str:
    """The client's id when it is sane, else a freshly minted one."""
    if header_value is not None and _SANE.fullmatch(header_value) is not None:
        return header_value
    return new_request_id()


def trace_id_from(traceparent: str | None) -> str:
    """The trace id of a valid `traceparent` header, else "-" (an invalid one is ignored, as
    the W3C recommendation says: the request simply starts no known trace)."""
    if traceparent is None:
        return "-"
    found = _TRACEPARENT.fullmatch(traceparent.strip())
    if found is None:
        return "-"
    version, trace, parent = found.groups()
    if version == "ff" or trace == _ZERO_TRACE or parent == _ZERO_PARENT:
        return "-"
    return trace
