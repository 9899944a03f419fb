"""The worker's failure modes around a send: the provider accepted a mail but Redis could not
record it, and the mail server went away between two mails on a reused connection."""

from __future__ import annotations

from collections import Counter

import redis.asyncio as redis
from prometheus_client import REGISTRY

from tests.support.notify import NotifySim, eventually, order_event, publish
from tests.support.notify_worker import running_worker, settled
from tests.support.redis_cluster import client_of
from tests.support.redis_proxy import RedisProxy


def _consumed(type: str, outcome: str) -> float:
    labels = {"type": type, "outcome": outcome}
    return REGISTRY.get_sample_value("skyfare_events_consumed_total", labels) or 0.0


async def test_a_mail_accepted_while_redis_could_not_record_it_is_recorded_not_sent_again(
    redis_url: str, redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    event = order_event("order.held", reference="MARK01", phone=None)
    retries = _consumed("order.held", "retry")
    await sim.smtp_behaviour(hold=True)
    async with RedisProxy(redis_url) as proxy:
        # The worker reaches Redis through the proxy; the test, directly.
        worker_client = client_of(proxy.url, socket_timeout=2.0)
        # A 1 s lease: without the worker remembering what it sent, the retry would find its
        # claim lapsed (or still its own) and send the mail again.
        async with running_worker(worker_client, stream, sim, send_timeout_s=30.0):
            await publish(redis_client, stream, event)

            async def in_data() -> bool:
                return (await sim.smtp_behaviour())["in_flight"] == 1

            await eventually(in_data)  # claimed, and the server has the whole mail
            await proxy.cut()
            await sim.smtp_behaviour(hold=False)  # 250: the mail is accepted...
            await eventually(lambda: _consumed("order.held", "retry") >= retries + 1)
            assert len(await sim.mails()) == 1  # ...and "sent" could not be written
            assert await redis_client.get(f"{stream}:sent:{event.id}:email") != b"sent"

            await proxy.restore()
            await eventually(lambda: settled(redis_client, stream))
        await worker_client.aclose()

    assert [m["message_id"] for m in await sim.mails()] == [
        f"<{event.id}.email@notify.skyfare.example>"
    ]
    assert await redis_client.get(f"{stream}:sent:{event.id}:email") == b"sent"


async def test_mails_cut_off_when_the_mail_server_drops_reused_connections_go_out_once(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    first = [order_event("order.held", reference=f"WARM{i:02d}", phone=None) for i in range(5)]
    then = [order_event("order.held", reference=f"DROP{i:02d}", phone=None) for i in range(10)]
    async with running_worker(redis_client, stream, sim, send_timeout_s=30.0):
        await publish(redis_client, stream, *first)
        await eventually(lambda: settled(redis_client, stream))  # its connections now idle

        await sim.smtp_behaviour(hold=True)
        await publish(redis_client, stream, *then)

        async def in_data() -> bool:
            return (await sim.smtp_behaviour())["in_flight"] >= 1

        await eventually(in_data)
        # The server goes away mid-batch: mails in DATA are dropped unanswered (never stored),
        # the pooled connections die with them. It comes back on the same port.
        await sim.stop_smtp()
        await sim.smtp_behaviour(hold=False)
        await sim.start_smtp()
        await eventually(lambda: settled(redis_client, stream))

    sent = Counter(m["message_id"] for m in await sim.mails())
    expected = [f"<{e.id}.email@notify.skyfare.example>" for e in (*first, *then)]
    assert sorted(sent) == sorted(expected)
    assert set(sent.values()) == {1}


async def test_a_connection_the_mail_server_closed_while_idle_is_replaced_without_a_failure(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    events = [order_event("order.confirmed", reference=f"IDLE{i}", phone=None) for i in (1, 2)]
    retries = _consumed("order.confirmed", "retry")
    async with running_worker(redis_client, stream, sim):
        await publish(redis_client, stream, events[0])
        await eventually(lambda: settled(redis_client, stream))
        await sim.stop_smtp()  # closes the worker's idle connection (a restart, an idle timeout)
        await sim.start_smtp()
        await publish(redis_client, stream, events[1])
        await eventually(lambda: settled(redis_client, stream))

    assert len(await sim.mails()) == 2
    assert _consumed("order.confirmed", "retry") == retries  # no attempt failed
