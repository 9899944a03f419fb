"""Logging: one line per record, `key=value` fields first, with the process id and request id."""

from __future__ import annotations

import logging
import sys

from skyfare.request_id import current_request_id

FORMAT = "%(asctime)s %(levelname)s %(name)s pid=%(process)d request_id=%(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being handled (the ContextVar)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    """Route the root logger to stderr in the one-line format; idempotent (workers call it too)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pgserver logs every initdb/pg_ctl command line at INFO; its warnings and errors still show.
    logging.getLogger("pgserver").setLevel(max(root.level, logging.WARNING))
