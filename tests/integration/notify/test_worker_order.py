"""One order's notifications go out in the order its events happened, even when its events
arrive in one batch (a traveler who paid right after booking)."""

from __future__ import annotations

import redis.asyncio as redis

from notify.handlers import Mailer
from notify.templates import Email
from tests.support.notify import NotifySim, eventually, order_event, publish
from tests.support.notify_worker import running_worker, settled


class RecordingMailer:
    """The real mailer, noting when each send starts and ends."""

    def __init__(self, mailer: Mailer) -> None:
        self._mailer = mailer
        self.log: list[tuple[str, str]] = []

    async def send(self, mail: Email, *, key: str) -> None:
        self.log.append(("start", mail.subject))
        try:
            await self._mailer.send(mail, key=key)
        finally:
            self.log.append(("end", mail.subject))


async def test_one_orders_mails_go_out_one_after_the_other_in_event_order(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    held = order_event("order.held", reference="ORDR01", phone=None)
    confirmed = order_event("order.confirmed", reference="ORDR01", tickets=("125-1",), phone=None)
    recording: list[RecordingMailer] = []

    def wrap(mailer: Mailer) -> Mailer:
        recording.append(RecordingMailer(mailer))
        return recording[0]

    await publish(redis_client, stream, held, confirmed)
    async with running_worker(redis_client, stream, sim, wrap_mailer=wrap):
        await eventually(lambda: settled(redis_client, stream))

    assert recording[0].log == [
        ("start", "Booking ORDR01 is held: please pay by 01 Dec 2026, 14:00 UTC"),
        ("end", "Booking ORDR01 is held: please pay by 01 Dec 2026, 14:00 UTC"),
        ("start", "Booking ORDR01 is confirmed: your e-tickets"),
        ("end", "Booking ORDR01 is confirmed: your e-tickets"),
    ]
    assert [m["subject"] for m in await sim.mails()] == [
        "Booking ORDR01 is held: please pay by 01 Dec 2026, 14:00 UTC",
        "Booking ORDR01 is confirmed: your e-tickets",
    ]


async def test_other_orders_mails_still_go_out_together(
    redis_client: redis.Redis, stream: str, sim: NotifySim
) -> None:
    events = [order_event("order.held", reference=f"PARA0{i}", phone=None) for i in range(3)]
    recording: list[RecordingMailer] = []

    def wrap(mailer: Mailer) -> Mailer:
        recording.append(RecordingMailer(mailer))
        return recording[0]

    await publish(redis_client, stream, *events)
    async with running_worker(redis_client, stream, sim, wrap_mailer=wrap):
        await eventually(lambda: settled(redis_client, stream))

    # Every send started before the first one ended: one batch, sent concurrently.
    assert [step for step, _ in recording[0].log[:3]] == ["start"] * 3
