"""Request ids: echo a sane client `X-Request-Id`, else mint one; the current one is a ContextVar.

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

# The current request's id, for log records ("-" outside a request).
current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def new_request_id() -> str:
    return f"{_PREFIX}-{next(_COUNTER):x}"


def request_id_from(header_value: str | None) -> str:
    """The client's id when it is sane, else a freshly minted one."""
    if header_value is not None and _SANE.fullmatch(header_value) is not None:
        return header_value
    return new_request_id()
