"""The worker loop: take over dead consumers' entries, retry this consumer's due failures, read
new entries, handle the batch, ack — until `stop()`.

A batch's entries of different orders are handled concurrently; one order's entries one after
the other, in the batch's order (stream order, retries first): sent concurrently, a traveler
who paid right after booking could read "confirmed" before "held: please pay by …".

`stop()` (SIGTERM/SIGINT) ends a wait for new entries at once, but lets a batch being handled
finish (every send is bounded by its timeout), so nothing is cut off mid-send. Entries read
but not yet handled when the process dies stay pending and are taken over (or retried by this
consumer's next run under the same name).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from kernel.logs import describe
from notify import metrics
from notify.config import WorkerConfig
from notify.handlers import Notifier, Outcome, Result
from notify.metrics import DEAD_LETTERED, consumed, type_label
from notify.stream import Delivery, EventStream
from notify.wire import ACCOUNT_EVENTS, event_type, order_key

logger = logging.getLogger(__name__)

_ACKED = frozenset(str(o) for o in (Outcome.SENT, Outcome.DUPLICATE, Outcome.SKIPPED))  # done


class NotifyWorker:
    def __init__(self, stream: EventStream, notifier: Notifier, config: WorkerConfig) -> None:
        self._stream = stream
        self._notifier = notifier
        self._config = config
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch in hand, then let `run()` return."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until `stop()`; Redis errors are logged and retried after a growing pause."""
        metrics.start()
        failures = 0
        ready = False
        while not self._stopping.is_set():
            try:
                if not ready:
                    await self._stream.ensure_group()
                    ready = True
                await self.step()
            except Exception as exc:  # the worker outlives any outage, and any surprise
                failures += 1
                # The stream (and its group) was deleted, or Redis restarted without its data.
                ready = ready and "NOGROUP" not in str(exc)
                if failures == 1 or failures % 20 == 0:
                    logger.warning(
                        "notify worker: %s (%d in a row), retrying", describe(exc), failures
                    )
                await self._pause(min(self._config.max_pause_s, 0.1 * 2**failures))
                continue
            if failures:
                logger.warning("notify worker resumed after %d failed attempts", failures)
                failures = 0

    async def step(self) -> int:
        """One batch: what to take over, what to retry, then new entries; how many handled."""
        config = self._config
        batch = await self._stream.takeover(config.takeover_idle_s, config.batch_size)
        batch += await self._stream.retries(config.backoff, config.batch_size)
        if len(batch) < config.batch_size:
            # Wait for new entries only when there is nothing else to do.
            block_s = None if batch else config.block_s
            batch += await self._read_new(config.batch_size - len(batch), block_s)
        unique = list({delivery.entry_id: delivery for delivery in batch}.values())
        chains = await asyncio.gather(
            *(self._process_in_turn(group) for group in by_order(unique)), return_exceptions=True
        )
        results = [r for chain in chains for r in (chain if isinstance(chain, list) else [chain])]
        done = [r for r in results if not isinstance(r, BaseException)]
        # One XACK for the batch, not one per event: an ack only ends redeliveries, and what a
        # redelivery would send is already marked "sent" (the marks are not held back).
        await self._stream.ack(*(entry_id for entry_id, _, outcome in done if outcome in _ACKED))
        # An account's event carries an address only to be sent to: once its message is out (or
        # parked, without it) the entry goes from the stream too (notify/wire.py).
        await self._stream.forget(*(
            entry_id for entry_id, kind, outcome in done
            if kind in ACCOUNT_EVENTS and (outcome in _ACKED or outcome == "dead")
        ))  # fmt: skip
        for _, kind, outcome in done:
            consumed(type_label(kind), outcome).inc()
        for result in results:
            if isinstance(result, BaseException):
                raise result  # e.g. Redis went away while dead-lettering: it stays pending
        return len(unique)

    async def _read_new(self, count: int, block_s: float | None) -> list[Delivery]:
        if block_s is None:
            return await self._stream.read_new(count, None)
        read = asyncio.ensure_future(self._stream.read_new(count, block_s))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({read, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if read.done():
            return read.result()
        # Stopping: entries this read may already have been handed stay pending for us.
        read.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await read
        return []

    async def _process_in_turn(
        self, deliveries: list[Delivery]
    ) -> list[tuple[str, str, str] | BaseException]:
        """One order's entries, each sent once the one before it is done."""
        found: list[tuple[str, str, str] | BaseException] = []
        for delivery in deliveries:
            try:
                found.append(await self._process(delivery))
            except Exception as exc:  # this entry stays pending; the next still gets its turn
                found.append(exc)
        return found

    async def _process(self, delivery: Delivery) -> tuple[str, str, str]:
        """(entry id, event type, outcome label); the step acks the entries `_ACKED`."""
        try:
            result = await self._notifier.handle(delivery.fields)
        except Exception as exc:  # a bug: an attempt that failed, dead-lettered in the end
            logger.exception("stream entry %s: unexpected error", delivery.entry_id)
            result = Result(Outcome.FAILED, event_type(delivery.fields), error=describe(exc))
        if result.outcome is Outcome.FAILED:
            outcome = await self._failed(delivery, result)
            return delivery.entry_id, result.event_type, outcome
        # BUSY: left pending; the retry finds it sent, or the other worker's claim lapsed.
        return delivery.entry_id, result.event_type, str(result.outcome)

    async def _failed(self, delivery: Delivery, result: Result) -> str:
        if result.permanent or delivery.attempts >= self._config.max_attempts:
            await self._stream.dead_letter(delivery, result.error)
            DEAD_LETTERED.inc()
            logger.error(
                "event %s (%s, entry %s) dead-lettered after %d attempt(s): %s",
                result.event_id, result.event_type, delivery.entry_id, delivery.attempts,
                result.error,
            )  # fmt: skip
            return "dead"
        delay = self._config.backoff.delay_s(delivery.attempts, delivery.entry_id)
        # INFO, not WARNING: an outage fails every event a few times; the metric counts them.
        logger.info(
            "event %s (%s) attempt %d failed, retrying in %.1f s: %s",
            result.event_id, result.event_type, delivery.attempts, delay, result.error,
        )  # fmt: skip
        return "retry"

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)


def by_order(deliveries: list[Delivery]) -> list[list[Delivery]]:
    """`deliveries` grouped by their event's booking reference, each group in the given order;
    an entry without one is a group of its own."""
    groups: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        key = order_key(delivery.fields)
        groups.setdefault(delivery.entry_id if key is None else f"order:{key}", []).append(delivery)
    return list(groups.values())
