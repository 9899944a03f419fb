"""`skyfare report` reads every report through one open of the store's file: each open of a
file the consumer writes waits for its lock and reads the file anew (bench/analytics_reports.py)."""

from __future__ import annotations

import io
from pathlib import Path

import redis.asyncio as redis

from analytics.render import print_reports
from analytics.reports import NAMES
from analytics.store import AnalyticsStore
from tests.support.analytics import SINCE, UNTIL, loaded_store


async def test_every_report_of_a_batch_reads_one_open_of_the_file(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    writer = await loaded_store(redis_client, streams, str(tmp_path))
    writer.close()
    store = AnalyticsStore(str(tmp_path), read_only=True)
    out = io.StringIO()

    reports = print_reports(store, SINCE, UNTIL, out)

    assert [found.name for found in reports] == list(NAMES)
    assert dict(reports[NAMES.index("funnel")].rows)["search"] == 30
    assert store.opens == 1
    assert store._db is None  # closed after the batch: the consumer may write again
