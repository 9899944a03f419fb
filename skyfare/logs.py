"""Logging: one line per record, with the process id and request id. `text` (the default, for
people): `key=value` fields first; `json` (SKYFARE_LOG_FORMAT=json, for log aggregation): one JSON
object per line, with the request's trace id too."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Any, Literal

import orjson

from skyfare import tracing
from skyfare.request_id import current_request_id, current_trace_id

FORMAT = "%(asctime)s %(levelname)s %(name)s pid=%(process)d request_id=%(request_id)s %(message)s"
LogFormat = Literal["text", "json"]


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being handled, and its trace id: the
    current span's when tracing is on (also outside requests: the worker's sends), else the
    request's `traceparent`'s (the ContextVars)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.trace_id = tracing.current_trace_id() or current_trace_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback is a field, never extra lines)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "request_id": getattr(record, "request_id", "-"),
            "trace_id": getattr(record, "trace_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str = "INFO", log_format: LogFormat = "text") -> None:
    """Route the root logger to stderr in the chosen format; idempotent (workers call it too)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pgserver logs every initdb/pg_ctl command line at INFO; its warnings and errors still show.
    logging.getLogger("pgserver").setLevel(max(root.level, logging.WARNING))
