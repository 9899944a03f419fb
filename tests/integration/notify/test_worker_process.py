"""`skyfare worker` as a real process: SIGKILLed mid-batch, restarted, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as redis

from tests.e2e.conftest import closed_port
from tests.support.faults import report
from tests.support.notify import NotifySim, eventually, order_event, publish
from tests.support.notify_worker import settled

pytestmark = pytest.mark.slow


def _environment(redis_url: str, stream: str, sim: NotifySim, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
    env.update(
        REDIS_URL=redis_url,
        SKYFARE_DATA_DIR=str(data_dir),
        SKYFARE_LOG_LEVEL="WARNING",
        SKYFARE_EVENT_STREAM=stream,
        SKYFARE_SMTP_HOST="127.0.0.1",
        SKYFARE_SMTP_PORT=str(sim.sink.port),
        SKYFARE_SMS_URL=sim.sms_url,
        SKYFARE_NOTIFY_BATCH_SIZE="10",
        SKYFARE_NOTIFY_LEASE_S="1",
        SKYFARE_NOTIFY_CLAIM_MIN_IDLE_S="0.5",
        SKYFARE_NOTIFY_BACKOFF_BASE_S="0.05",
        SKYFARE_NOTIFY_BACKOFF_MAX_S="0.2",
        SKYFARE_NOTIFY_METRICS_PORT="0",
    )
    return env


@contextmanager
def _worker(env: dict[str, str], consumer: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "skyfare.cli", "worker"],
            env={**env, "SKYFARE_NOTIFY_CONSUMER": consumer},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


async def test_a_worker_killed_mid_batch_leaves_every_notification_sent_exactly_once(
    redis_url: str, redis_client: redis.Redis, stream: str, sim: NotifySim, tmp_path: Path
) -> None:
    events = [order_event("order.held", reference=f"KILL{i:02d}") for i in range(30)]
    await publish(redis_client, stream, *events)
    env = _environment(redis_url, stream, sim, tmp_path)
    log = tmp_path / "worker.log"
    # The provider holds every SMS: the first batch's mails go out, its SMS hang mid-send.
    await sim.sms_behaviour(hold=True)

    with _worker(env, "worker-a", log) as first:

        async def mid_batch() -> bool:
            mails = await sim.mails()
            held = (await sim.sms_behaviour())["in_flight"]
            marked = [await redis_client.get(_sent_key(m["message_id"])) for m in mails]
            return len(mails) == 10 and held == 10 and marked == [b"sent"] * 10

        await eventually(mid_batch)
        killed_at = time.monotonic()
        first.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(first.wait, 10) == -signal.SIGKILL

    await sim.sms_behaviour(hold=False)
    metrics_port = closed_port()
    env["SKYFARE_NOTIFY_METRICS_PORT"] = str(metrics_port)
    # Another consumer takes over worker-a's pending batch once it has been idle for 0.5 s;
    # its SMS claims are worker-a's until their 1 s lease lapses, then they are sent.
    with _worker(env, "worker-b", log) as second:
        await eventually(lambda: settled(redis_client, stream), timeout_s=20)
        recovered_at = time.monotonic()
        metrics = await _get(f"http://127.0.0.1:{metrics_port}/metrics")
        second.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(second.wait, 10) == 0

    mails = Counter(m["message_id"] for m in await sim.mails())
    sms = Counter(m["reference"] for m in await sim.sms())
    assert sorted(mails) == sorted(f"<{e.id}.email@notify.skyfare.example>" for e in events)
    assert sorted(sms) == sorted(f"{e.id}.sms" for e in events)
    assert set(mails.values()) == set(sms.values()) == {1}, log.read_text()
    report(
        "worker",
        notifications=2 * len(events),
        delivered=len(mails) + len(sms),
        notifications_lost=2 * len(events) - len(mails) - len(sms),
        notifications_duplicated=sum(mails.values()) + sum(sms.values()) - len(mails) - len(sms),
        recover_s=recovered_at - killed_at,
    )
    assert 'skyfare_notifications_sent_total{channel="email"} 20.0' in metrics
    assert 'skyfare_notifications_sent_total{channel="sms"} 30.0' in metrics
    assert "skyfare_notify_pending_events 0.0" in metrics
    assert "skyfare_notify_lag_events 0.0" in metrics
    await redis_client.delete(
        *(_sent_key(m) for m in mails), *(f"notify:sent:{e.id}:sms" for e in events)
    )


async def test_a_worker_killed_with_mails_in_flight_on_reused_connections_sends_each_once(
    redis_url: str, redis_client: redis.Redis, stream: str, sim: NotifySim, tmp_path: Path
) -> None:
    warm = order_event("order.held", reference="WARM00")
    events = [order_event("order.held", reference=f"SMTP{i:02d}") for i in range(30)]
    env = _environment(redis_url, stream, sim, tmp_path)
    log = tmp_path / "worker.log"

    with _worker(env, "worker-a", log) as first:
        await publish(redis_client, stream, warm)
        await eventually(lambda: settled(redis_client, stream), timeout_s=20)
        # Its SMTP connection is open and idle now: the next batch's mails go out on it. The
        # sink holds every DATA: the batch's SMS go out, its mails hang mid-transaction.
        await sim.smtp_behaviour(hold=True)
        await publish(redis_client, stream, *events)

        async def mid_batch() -> bool:
            held = (await sim.smtp_behaviour())["in_flight"]
            sms = [m["reference"].removesuffix(".sms") for m in await sim.sms()]
            marked = [await redis_client.get(f"notify:sent:{i}:sms") for i in sms]
            return held >= 1 and len(sms) == 11 and marked == [b"sent"] * 11

        await eventually(mid_batch)
        first.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(first.wait, 10) == -signal.SIGKILL

    # The held mails were never answered: the sink dropped them with the connections.
    await sim.smtp_behaviour(hold=False)
    with _worker(env, "worker-b", log) as second:
        await eventually(lambda: settled(redis_client, stream), timeout_s=20)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(second.wait, 10) == 0

    everyone = [warm, *events]
    mails = Counter(m["message_id"] for m in await sim.mails())
    sms = Counter(m["reference"] for m in await sim.sms())
    assert sorted(mails) == sorted(f"<{e.id}.email@notify.skyfare.example>" for e in everyone)
    assert sorted(sms) == sorted(f"{e.id}.sms" for e in everyone)
    assert set(mails.values()) == set(sms.values()) == {1}, log.read_text()
    await redis_client.delete(
        *(f"notify:sent:{e.id}:{channel}" for e in everyone for channel in ("email", "sms"))
    )


def _sent_key(message_id: str) -> str:
    event_id = message_id.strip("<>").split(".email@")[0]
    return f"notify:sent:{event_id}:email"


async def _get(url: str) -> str:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
        session.get(url) as response,
    ):
        assert response.status == 200
        return await response.text()
