"""The support sync's acknowledgements against real Redis and PostgreSQL: every event a read
synced is acknowledged (in one XACK), and one the helpdesk could not take stays pending with
those read after it."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import redis.asyncio as redis

from booking.pg import Database
from booking.repository import PgOrderRepository
from kernel.tasks import stop_task
from support.helpdesk import HttpHelpdesk
from support.repository import PgSupportRepository
from support.sync import GROUP, OrderSync
from tests.e2e.conftest import closed_port
from tests.support.orders import new_order


async def _publish(client: redis.Redis, stream: str, type_: str, order_id: str) -> str:
    order = {"id": order_id, "booking_reference": "K7Q2MZ", "status": "held", "payment_status": "-"}
    event = {"id": uuid.uuid4().hex, "type": type_, "order": order}
    entry = await client.xadd(stream, {"type": type_, "event": msgspec.json.encode(event)})
    return entry.decode() if isinstance(entry, bytes) else str(entry)


async def _pending(client: redis.Redis, stream: str) -> list[str]:
    rows = await client.xpending_range(stream, GROUP, min="-", max="+", count=100)
    return [r["message_id"].decode() for r in rows]


async def _read_to(client: redis.Redis, stream: str, last: str) -> None:
    """Until the group has read `last` (a round's acknowledgements follow its read)."""
    for _ in range(200):
        groups = await client.xinfo_groups(stream)
        if groups and groups[0]["last-delivered-id"].decode() == last:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the sync never read {last}")


async def test_every_event_a_read_synced_is_acknowledged_and_a_failed_one_stays_pending(
    redis_client: redis.Redis, stream: str, db: Database, repository: PgOrderRepository
) -> None:
    order = await repository.create(new_order("ada"), actor="ada")
    await PgSupportRepository(db).create(
        f"cas_{uuid.uuid4().hex[:12]}", owner="ada", order_id=order.id, helpdesk_id="hd_1",
        subject="Extra bag", message="Can I?",
    )  # fmt: skip
    nobody = HttpHelpdesk(f"http://127.0.0.1:{closed_port()}/helpdesk", "key", timeout_s=1)
    sync = OrderSync(
        redis_client, stream, nobody, PgSupportRepository(db), consumer="c1", block_ms=50,
        retry_s=30,
    )  # fmt: skip
    task = asyncio.create_task(sync.run())
    try:
        for _ in range(200):  # the group exists once the sync ran its first round
            if await redis_client.exists(stream):
                break
            await asyncio.sleep(0.02)
        quiet = [await _publish(redis_client, stream, "order.held", order.id) for _ in range(3)]
        await _read_to(redis_client, stream, quiet[-1])
        for _ in range(200):
            if not await _pending(redis_client, stream):
                break
            await asyncio.sleep(0.02)
        assert await _pending(redis_client, stream) == []

        # A confirmed order with a case goes to the helpdesk, which cannot be reached. Published
        # while the sync is stopped, so that its next read takes all three at once.
        await stop_task(task)  # one cancel() can be swallowed (kernel/tasks.py): it hung CI once
        before = await _publish(redis_client, stream, "order.held", order.id)
        failed = await _publish(redis_client, stream, "order.confirmed", order.id)
        after = await _publish(redis_client, stream, "order.held", order.id)
        task = asyncio.create_task(sync.run())
        await _read_to(redis_client, stream, after)
        for _ in range(200):
            if before not in await _pending(redis_client, stream):
                break
            await asyncio.sleep(0.02)

        assert await _pending(redis_client, stream) == [failed, after]
    finally:
        await stop_task(task)
        await nobody.close()


async def test_a_pending_entry_deleted_from_the_stream_is_acknowledged_not_retried_for_ever(
    redis_client: redis.Redis, stream: str, db: Database
) -> None:
    # An account's event read by the sync, then deleted by the notification worker once sent
    # (notify/worker.py) before the sync acknowledged it: its next read of its pending entries
    # finds the id without fields (redis-py: `{}`), which syncs nothing and is acknowledged.
    await redis_client.xgroup_create(stream, GROUP, id="0", mkstream=True)
    entry = await redis_client.xadd(stream, {"type": "account.erased", "event": b"{}"})
    await redis_client.xreadgroup(GROUP, "c1", {stream: ">"}, count=10)
    await redis_client.xdel(stream, entry)
    nobody = HttpHelpdesk(f"http://127.0.0.1:{closed_port()}/helpdesk", "key", timeout_s=1)
    sync = OrderSync(
        redis_client, stream, nobody, PgSupportRepository(db), consumer="c1", block_ms=50
    )
    task = asyncio.create_task(sync.run())
    try:
        for _ in range(200):
            if not await _pending(redis_client, stream):
                break
            await asyncio.sleep(0.02)
    finally:
        await stop_task(task)
        await nobody.close()
    assert await _pending(redis_client, stream) == []
