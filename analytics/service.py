"""`ReportService`: the reports for the API, read from the store in a thread (DuckDB is
synchronous), each under a bounded wait for the consumer's hold on the file."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from analytics.reports import NAMES, Report, report
from analytics.store import AnalyticsStore, StoreBusy, StoreMissing, StoreUnreadable
from kernel.errors import NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

LOCK_WAIT_S = 3.0
# No store yet: the consumer makes it as it starts, so a start-up race is over in seconds. A
# process that never sees the consumer's volume keeps answering 503, never empty rows.
MISSING_RETRY_S = 10.0


def unknown_report(name: str) -> str:
    """The 404's detail: the names there are."""
    return f"no report named {name[:40]!r}; reports: {', '.join(NAMES)}"


class ReportService:
    """Reports by name over the store in `directory`; raises `kernel.errors` for the views.
    `in_writer_process`: the consumer loading that store runs in this process."""

    def __init__(
        self,
        directory: str,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        in_writer_process: bool = False,
    ) -> None:
        self._directory = directory
        self._in_writer_process = in_writer_process
        self._clock = clock

    def now(self) -> dt.datetime:
        return self._clock()

    async def report(self, name: str, since: dt.datetime, until: dt.datetime) -> Report:
        """`NotFound` for a name not in `NAMES`; `ServiceUnavailable` while the store is busy
        or where there is none (never empty rows for a store that is not there)."""
        if name not in NAMES:
            raise NotFound(unknown_report(name))
        try:
            return await asyncio.to_thread(self._read, name, since, until)
        except StoreBusy as exc:
            raise ServiceUnavailable("the analytics store is busy", retry_after_s=2.0) from exc
        except StoreUnreadable as exc:
            # The reason is the operator's (it names the file), not the analyst's.
            logger.error("analytics store unreadable: %s", exc)
            raise ServiceUnavailable(
                "the analytics store cannot be read (the reason is logged)",
                retry_after_s=MISSING_RETRY_S,
            ) from exc
        except StoreMissing as exc:
            raise ServiceUnavailable(
                "no analytics store here: reports are read where the analytics consumer "
                "(`skyfare analytics`) keeps its store, and it has not made one",
                retry_after_s=MISSING_RETRY_S,
            ) from exc

    def _read(self, name: str, since: dt.datetime, until: dt.datetime) -> Report:
        store = AnalyticsStore(
            self._directory,
            read_only=True,
            lock_wait_s=LOCK_WAIT_S,
            in_writer_process=self._in_writer_process,
        )
        return report(store, name, since, until)
