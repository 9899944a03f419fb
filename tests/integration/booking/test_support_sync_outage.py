"""The support sync through an outage, against real Redis: the outage is logged when it starts,
then every 20th failed round, and its end once. Every API process runs the sync and retries
each second; before, each retry logged a line, 3,600 an hour per process while Redis was down."""

from __future__ import annotations

import asyncio
import logging

import pytest
import redis.asyncio as redis

from booking.pg import Database
from kernel.tasks import stop_task
from support.helpdesk import HttpHelpdesk
from support.repository import PgSupportRepository
from support.sync import OrderSync
from tests.e2e.conftest import closed_port

ROUNDS_DOWN = 41


class _Resumed(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "resumed" in record.getMessage():
            self.seen.set()


async def test_an_outage_is_logged_as_it_starts_every_20th_round_and_as_it_ends(
    redis_client: redis.Redis, stream: str, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await redis_client.set(stream, "not a stream")  # every round fails (WRONGTYPE) until deleted
    rounds = 0

    async def pause(seconds: float) -> None:
        nonlocal rounds
        rounds += 1
        if rounds == ROUNDS_DOWN:
            await redis_client.delete(stream)

    nobody = HttpHelpdesk(f"http://127.0.0.1:{closed_port()}/helpdesk", "key", timeout_s=1)
    sync = OrderSync(
        redis_client, stream, nobody, PgSupportRepository(db), consumer="c1", block_ms=50,
        sleep=pause,
    )  # fmt: skip
    resumed = _Resumed()
    logging.getLogger("support.sync").addHandler(resumed)
    task = asyncio.create_task(sync.run())
    try:
        with caplog.at_level(logging.WARNING, logger="support.sync"):
            await asyncio.wait_for(resumed.seen.wait(), timeout=30)
    finally:
        logging.getLogger("support.sync").removeHandler(resumed)
        await stop_task(task)
        await nobody.close()

    lines = [r.getMessage() for r in caplog.records if r.name == "support.sync"]
    assert [line.split(", retrying")[0] for line in lines[:-1]] == [
        "support sync failed (1 in a row)",
        "support sync failed (20 in a row)",
        "support sync failed (40 in a row)",
    ]
    assert lines[-1] == f"support sync resumed after {ROUNDS_DOWN} failed rounds"
