"""The notification worker against real Redis, the SMTP sink and the SMS provider sim."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY

from notify.config import GROUP
from notify.stream import EventStream
from tests.support.notify import NotifySim, eventually, order_event, publish
from tests.support.notify_worker import running_worker, settled
from tests.support.redis_cluster import client_of, redis_or_cluster


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py)."""
    return redis_or_cluster(request, redis_url)


def _consumed(type: str, outcome: str) -> float:
    labels = {"type": type, "outcome": outcome}
    return REGISTRY.get_sample_value("skyfare_events_consumed_total", labels) or 0.0


async def test_each_event_sends_one_email_and_one_sms_to_its_contact(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    held = order_event("order.held", reference="HELD01")
    confirmed = order_event("order.confirmed", reference="CONF01", tickets=("125-1",))
    failed = order_event("payment.failed", reference="FAIL01", phone=None)
    created = order_event("order.created", reference="CREA01")  # nobody is told
    unreachable = order_event("order.held", reference="NONE01", email=None, phone=None)
    await publish(redis_client, stream, held, confirmed, failed, created, unreachable)

    async with running_worker(redis_client, stream, sim):
        await eventually(lambda: settled(redis_client, stream))

    mails = {m["message_id"]: m for m in await sim.mails()}
    assert set(mails) == {
        f"<{e.id}.email@notify.skyfare.example>" for e in (held, confirmed, failed)
    }
    held_mail = mails[f"<{held.id}.email@notify.skyfare.example>"]
    assert held_mail["to"] == ["ada@example.com"]
    assert held_mail["subject"].startswith("Booking HELD01 is held")
    assert "612.40 USD" in held_mail["body"]
    sms = {m["reference"]: m for m in await sim.sms()}
    assert set(sms) == {f"{held.id}.sms", f"{confirmed.id}.sms"}
    assert sms[f"{confirmed.id}.sms"]["to"] == "+442071838750"
    assert "125-1" in sms[f"{confirmed.id}.sms"]["body"]


async def test_a_redelivered_event_sends_nothing_twice(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    event = order_event("order.confirmed")
    duplicates = _consumed("order.confirmed", "duplicate")
    async with running_worker(redis_client, stream, sim):
        await publish(redis_client, stream, event)
        await eventually(lambda: settled(redis_client, stream))
        # The relay published it again (a crash before its COMMIT): a second entry, same event.
        await publish(redis_client, stream, event, event)
        await eventually(lambda: settled(redis_client, stream))

    assert len(await sim.mails()) == 1
    assert len(await sim.sms()) == 1
    assert _consumed("order.confirmed", "duplicate") == duplicates + 2


async def test_when_only_the_sms_failed_the_retry_sends_only_the_sms(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    event = order_event("order.held")
    await sim.sms_behaviour(outage=True)
    retries = _consumed("order.held", "retry")
    async with running_worker(redis_client, stream, sim):
        await publish(redis_client, stream, event)
        await eventually(lambda: _consumed("order.held", "retry") >= retries + 2)
        await sim.sms_behaviour(outage=False)
        await eventually(lambda: settled(redis_client, stream))

    assert len(await sim.mails()) == 1
    assert [m["reference"] for m in await sim.sms()] == [f"{event.id}.sms"]


async def test_mails_written_while_the_smtp_server_is_down_go_out_once_it_is_back(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    events = [order_event("order.held", reference=f"DOWN{i:02d}") for i in range(20)]
    await sim.stop_smtp()
    async with running_worker(redis_client, stream, sim):
        await publish(redis_client, stream, *events)

        async def all_retried() -> bool:
            pending = await redis_client.xpending_range(stream, GROUP, "-", "+", 100)
            return len(pending) == 20 and all(p["times_delivered"] >= 2 for p in pending)

        await eventually(all_retried)
        assert await sim.mails() == []
        await sim.start_smtp()
        await eventually(lambda: settled(redis_client, stream))

    sent = Counter(m["message_id"] for m in await sim.mails())
    assert sorted(sent) == sorted(f"<{e.id}.email@notify.skyfare.example>" for e in events)
    assert set(sent.values()) == {1}
    assert len(await sim.sms()) == 20  # the SMS went out on the first attempt, and only then


async def test_an_event_that_keeps_failing_is_parked_in_the_dead_letter_stream(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    event = order_event("order.expired")
    await sim.sms_behaviour(outage=True)
    async with running_worker(redis_client, stream, sim, max_attempts=3):
        await publish(redis_client, stream, event)
        await eventually(lambda: settled(redis_client, stream))

    [(_, dead)] = await redis_client.xrange(f"{stream}:dead")
    assert dead[b"id"] == event.id.encode()
    assert dead[b"type"] == b"order.expired"
    assert dead[b"attempts"] == b"3"
    assert dead[b"error"] == b"sms: DeliveryError: SMS provider answered 503"
    assert b'"booking_reference":"K7Q2MZ"' in dead[b"event"]  # the event, to replay it
    assert len(await sim.mails()) == 1  # the email went out once, on the first attempt


async def test_an_entry_that_is_not_an_event_is_dead_lettered_at_once(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    await redis_client.xadd(stream, {"id": "x", "type": "order.held", "event": "{broken"})
    async with running_worker(redis_client, stream, sim):
        await eventually(lambda: settled(redis_client, stream))

    [(_, dead)] = await redis_client.xrange(f"{stream}:dead")
    assert dead[b"attempts"] == b"1"
    assert dead[b"error"].startswith(b"the event does not decode")


async def test_pending_messages_of_a_consumer_that_died_are_taken_over(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    events = [order_event("order.cancelled", reference=f"GHOST{i}") for i in range(3)]
    ghost = EventStream(redis_client, stream, group=GROUP, consumer="ghost", timeout_s=2)
    await ghost.ensure_group()
    await publish(redis_client, stream, *events)
    assert len(await ghost.read_new(10, None)) == 3  # read, never acked: the ghost died

    async with running_worker(redis_client, stream, sim, claim_min_idle_s=0.2):
        await eventually(lambda: settled(redis_client, stream))

    assert len(await sim.mails()) == 3
    assert len(await sim.sms()) == 3


async def test_stop_ends_a_worker_waiting_for_events_at_once(
    redis_url: str, stream: str, sim: NotifySim
) -> None:
    # A read blocks for an hour, on a client without a socket timeout to end it sooner (redis-py
    # has a 5 s one unless told None): a stop that waited for the read would hang, and
    # pytest-timeout fail the test.
    client = client_of(redis_url, socket_timeout=None)
    try:
        async with running_worker(client, stream, sim, block_s=3600.0) as running:
            await publish(client, stream, order_event("order.created"))
            await eventually(lambda: settled(client, stream))  # now it waits for the next
            running.worker.stop()
            await running.task
    finally:
        await client.aclose()


async def test_stop_lets_the_batch_in_hand_finish_before_the_worker_returns(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    await sim.sms_behaviour(hold=True)
    async with running_worker(redis_client, stream, sim) as running:
        await publish(redis_client, stream, order_event("order.held"))

        async def sending() -> bool:
            return (await sim.sms_behaviour())["in_flight"] == 1

        await eventually(sending)
        running.worker.stop()
        done, _ = await asyncio.wait({running.task}, timeout=0.2)
        assert not done  # still sending
        await sim.sms_behaviour(hold=False)
        await running.task  # the batch finished; a worker that did not return would hang

    assert len(await sim.sms()) == 1
    assert await settled(redis_client, stream)


async def test_group_state_reports_lag_pending_and_dead_letters(
    redis_client: redis.Redis, stream: str
) -> None:
    reader = EventStream(redis_client, stream, group=GROUP, consumer="r", timeout_s=2)
    await reader.ensure_group()
    await publish(redis_client, stream, *(order_event() for _ in range(3)))
    await redis_client.xadd(f"{stream}:dead", {"id": "x"})

    before = await reader.state()
    await reader.read_new(2, None)
    after = await reader.state()

    assert (before.lag, before.pending, before.dead) == (3, 0, 1)
    assert (after.lag, after.pending) == (1, 2)


async def test_the_worker_recreates_its_group_when_the_stream_was_deleted(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    async with running_worker(redis_client, stream, sim):
        await publish(redis_client, stream, order_event("order.held", reference="FIRST1"))
        await eventually(lambda: settled(redis_client, stream))
        await redis_client.delete(stream)  # e.g. Redis restarted without its data

        await publish(redis_client, stream, order_event("order.held", reference="AFTER1"))
        await eventually(lambda: settled(redis_client, stream))

    assert sorted(m["subject"][:14] for m in await sim.mails()) == [
        "Booking AFTER1",
        "Booking FIRST1",
    ]


async def test_an_address_that_is_not_one_recipient_is_dead_lettered_at_once_unsent(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    # Contacts from before the API checked them strictly: each would reach someone else, or
    # make the provider refuse (and the worker retry) until the attempts ran out.
    events = [
        order_event("order.held", reference="BAD001", email="a,bob@example.com", phone=None),
        order_event("order.held", reference="BAD002", email="<x>@example.com", phone=None),
        order_event("order.held", reference="BAD003", email="ada@example.com\n", phone=None),
        order_event("order.held", reference="BAD004", email="ad\u202ea@example.com", phone=None),
        order_event("order.held", reference="BAD005", email=None, phone="+442071838750\n"),
    ]
    await publish(redis_client, stream, *events)
    async with running_worker(redis_client, stream, sim, max_attempts=8):
        await eventually(lambda: settled(redis_client, stream))

    assert await sim.mails() == []
    assert await sim.sms() == []
    dead = await redis_client.xrange(f"{stream}:dead")
    assert sorted(fields[b"id"].decode() for _, fields in dead) == sorted(e.id for e in events)
    assert {fields[b"attempts"] for _, fields in dead} == {b"1"}
    assert all(b"@" not in fields[b"error"] for _, fields in dead)  # never the address itself


async def test_a_batch_acks_every_event_it_finished_and_leaves_a_busy_one_pending(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    held = order_event("order.held", reference="ACK001")
    created = order_event("order.created", reference="ACK002")  # nobody is told: skipped
    busy = order_event("order.held", reference="ACK003")
    # Another worker is sending the busy event's mail right now.
    await redis_client.set(f"{stream}:sent:{busy.id}:email", "claim:other", px=60_000)
    sent, skipped = _consumed("order.held", "sent"), _consumed("order.created", "skipped")
    await publish(redis_client, stream, held, created, busy)

    async def only_the_busy_one_pending() -> bool:
        pending = await redis_client.xpending_range(stream, GROUP, "-", "+", 10)
        return [entry["message_id"] for entry in pending] == [entries[busy.id]]

    async with running_worker(redis_client, stream, sim):
        entries = {fields[b"id"].decode(): i for i, fields in await redis_client.xrange(stream)}
        await eventually(only_the_busy_one_pending)
        await eventually(lambda: _consumed("order.created", "skipped") == skipped + 1)

    assert _consumed("order.held", "sent") == sent + 1
    assert [m["message_id"] for m in await sim.mails()] == [
        f"<{held.id}.email@notify.skyfare.example>"
    ]


async def test_several_entries_are_acked_at_once(redis_client: redis.Redis, stream: str) -> None:
    events = EventStream(redis_client, stream, group=GROUP, consumer="c1", timeout_s=2.0)
    await events.ensure_group()
    await publish(redis_client, stream, *(order_event(reference=f"ACK10{i}") for i in range(3)))
    read = await events.read_new(10, None)

    await events.ack(*(delivery.entry_id for delivery in read[:2]))

    pending = await redis_client.xpending_range(stream, GROUP, "-", "+", 10)
    assert [entry["message_id"].decode() for entry in pending] == [read[2].entry_id]
    await events.ack()  # nothing to ack: no command at all
