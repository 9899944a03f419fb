"""When `UsageBuffer` publishes, against a real Redis: one batch a wake, not one per turn of the
event loop while a steady load keeps adding hits; early when half the buffer is waiting, so a
rate the interval would overflow is sent rather than dropped; a backlog of whole batches at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import msgspec
import redis.asyncio as redis

from analytics import metrics
from analytics.publisher import UsageBuffer
from kernel.tasks import stop_task
from kernel.usage import BreakerEvent, decode_usage, encode_usage, expand
from search.usage import SearchUsage
from tests.unit.analytics.test_search_usage import ENTRY, REQUEST

# The production bound on a batch is 1 s; a busy machine's Redis (Cluster) can take longer,
# and these tests are about what is published, not how fast.
PATIENT_S = 30.0

# Never reached in these tests: only a wake or a direct call publishes.
NEVER_S = 3600.0
BREAKER = BreakerEvent(at=1_800_000_000.0, connector="ndc-crimson", state="open")


def hits(buffer: UsageBuffer) -> SearchUsage:
    return SearchUsage(buffer, wall_clock=lambda: 1_800_000_000.0)


class Sends:
    """Wraps the buffer's one Redis call: counts it, sets `done` once one has answered, and runs
    `during[i]` while the i-th send is in flight, as requests answered during a round trip
    would."""

    def __init__(self, buffer: UsageBuffer, during: Sequence[Callable[[], None]] = ()) -> None:
        self.count = 0
        self.done = asyncio.Event()
        send = buffer._xadd_all

        async def counted(*, keys: list[str], args: tuple[object, ...]) -> object:
            if self.count < len(during):
                during[self.count]()
            self.count += 1
            answer = await send(keys=keys, args=args)
            self.done.set()
            return answer

        buffer._xadd_all = counted  # type: ignore[assignment]


async def entries(client: redis.Redis, stream: str) -> list[object]:
    return [decode_usage(fields[b"event"]) for _, fields in await client.xrange(stream)]


async def test_a_wake_sends_what_is_due_and_leaves_what_came_during_the_send(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000, interval_s=NEVER_S, timeout_s=PATIENT_S)
    usage = hits(buffer)
    # Every send sees one more hit arrive while it is in flight, as under a steady load.
    sends = Sends(buffer, [lambda: usage.fast_hit(REQUEST, ENTRY, 1)] * 5)
    for took_ms in range(3):
        usage.fast_hit(REQUEST, ENTRY, took_ms)

    await buffer.publish_due()

    assert sends.count == 1  # draining to empty sent a batch per hit that came in during a send
    assert len(buffer) == 1
    (sent,) = await entries(redis_client, stream)
    assert [e.took_ms for e in expand(sent)] == [0, 1, 2]  # type: ignore[union-attr]


async def test_half_a_buffer_waiting_wakes_the_publisher_before_its_interval(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(
        redis_client, stream, maxlen=1000, capacity=10, interval_s=NEVER_S, timeout_s=PATIENT_S
    )
    usage = hits(buffer)
    dropped = metrics.value("dropped")
    sends = Sends(buffer)
    task = asyncio.create_task(buffer.run())
    try:
        for took_ms in range(4):
            usage.fast_hit(REQUEST, ENTRY, took_ms)
        for _ in range(20):  # every turn the publisher could take: it has no cause to send
            await asyncio.sleep(0)
        assert sends.count == 0

        usage.fast_hit(REQUEST, ENTRY, 4)  # the fifth of 10: half
        async with asyncio.timeout(30):  # a guard against a hang, not a measure of time
            await sends.done.wait()
    finally:
        await stop_task(task)

    (sent,) = await entries(redis_client, stream)
    assert [e.took_ms for e in expand(sent)] == [0, 1, 2, 3, 4]  # type: ignore[union-attr]
    assert len(buffer) == 0
    assert metrics.value("dropped") == dropped


async def test_a_whole_event_filling_half_the_buffer_wakes_it_too(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(
        redis_client, stream, maxlen=1000, capacity=4, interval_s=NEVER_S, timeout_s=PATIENT_S
    )
    sends = Sends(buffer)
    task = asyncio.create_task(buffer.run())
    try:
        buffer.emit(BREAKER)
        buffer.emit_json(encode_usage(msgspec.structs.replace(BREAKER, connector="rest-liberty")))
        async with asyncio.timeout(30):  # a guard against a hang, not a measure of time
            await sends.done.wait()
    finally:
        await stop_task(task)

    assert [e.connector for e in await entries(redis_client, stream)] == [  # type: ignore[attr-defined]
        "ndc-crimson",
        "rest-liberty",
    ]


async def test_a_backlog_of_whole_batches_goes_in_one_wake(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(
        redis_client,
        stream,
        maxlen=10_000,
        capacity=10_000,
        batch_size=1000,
        interval_s=NEVER_S,
        timeout_s=PATIENT_S,
    )
    sends = Sends(buffer)
    for _ in range(2500):
        buffer.emit(BREAKER)

    await buffer.publish_due()

    assert sends.count == 2  # two whole batches; the last 500 wait for the next wake
    assert len(buffer) == 500
    assert await redis_client.xlen(stream) == 2000
