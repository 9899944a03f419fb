"""In-process notification workers for the integration tests, wired as `skyfare worker` wires
them but with short idle times and backoffs, and the sim's SMTP sink and SMS provider."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable

import msgspec
import redis.asyncio as redis

from notify.config import GROUP, WorkerConfig
from notify.dedup import RedisDedup
from notify.handlers import ChannelPreferences, Mailer, Notifier
from notify.mail import SmtpMailer
from notify.retry import Backoff
from notify.sms import HttpSmsSender
from notify.stream import EventStream
from notify.worker import NotifyWorker
from sim.sms import SIM_API_KEY
from tests.support.notify import NotifySim

FAST = WorkerConfig(
    batch_size=10,
    max_attempts=20,
    claim_min_idle_s=0.3,
    backoff=Backoff(base_s=0.02, max_s=0.1),
    block_s=0.05,
    max_pause_s=0.1,
)


class RunningWorker:
    def __init__(self, worker: NotifyWorker, task: asyncio.Task[None], stream: EventStream):
        self.worker = worker
        self.task = task
        self.stream = stream


@contextlib.asynccontextmanager
async def running_worker(
    client: redis.Redis,
    stream_name: str,
    sim: NotifySim,
    *,
    consumer: str = "w1",
    lease_s: float = 1.0,
    send_timeout_s: float = 2.0,
    preferences: ChannelPreferences | None = None,
    wrap_mailer: Callable[[Mailer], Mailer] | None = None,
    **config: object,
) -> AsyncIterator[RunningWorker]:
    stream = EventStream(client, stream_name, group=GROUP, consumer=consumer, timeout_s=2.0)
    mailer = SmtpMailer(
        "127.0.0.1",
        sim.sink.port,
        mail_from="Skyfare <b@skyfare.example>",
        timeout_s=send_timeout_s,
    )
    dedup = RedisDedup(
        client,
        owner=f"{consumer}:{secrets.token_hex(4)}",
        lease_s=lease_s,
        timeout_s=2.0,
        prefix=f"{stream_name}:sent:",
    )
    async with HttpSmsSender(sim.sms_url, SIM_API_KEY, timeout_s=send_timeout_s) as sms:
        worker = NotifyWorker(
            stream,
            Notifier(
                mailer if wrap_mailer is None else wrap_mailer(mailer),
                sms,
                dedup,
                preferences=preferences,
            ),
            msgspec.structs.replace(FAST, **config),
        )
        # Running means its group exists (the worker creates it too; BUSYGROUP is ignored): a
        # test that publishes and then asks the group (XPENDING) must not race the worker's start.
        await stream.ensure_group()
        task = asyncio.create_task(worker.run())
        try:
            yield RunningWorker(worker, task, stream)
        finally:
            worker.stop()
            try:
                # It finishes the batch in hand; one that outlives the wait is cancelled, and
                # awaited, so it holds no SMTP or HTTP connection past this block.
                await asyncio.wait_for(task, timeout=5)
            finally:
                await mailer.close()


async def settled(client: redis.Redis, stream: str) -> bool:
    """Every entry delivered to the group and acknowledged."""
    # The notification worker's group: other consumers (support's sync) read the stream too.
    groups = [g for g in await client.xinfo_groups(stream) if g["name"] in (GROUP, GROUP.encode())]
    if not groups:
        return False
    last = await client.xrevrange(stream, count=1)
    group = groups[0]
    # At or past the last entry: the worker deletes an account's entry once it is sent, so the
    # last one delivered may be gone from the stream (notify/worker.py).
    delivered = not last or _position(group["last-delivered-id"]) >= _position(last[0][0])
    return bool(delivered and group["pending"] == 0)


def _position(entry_id: bytes | str) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    milliseconds, sequence = text.split("-")
    return int(milliseconds), int(sequence)
