"""The use case: send one event's notifications, each (event id, channel) at most once.

The channels of one event go out concurrently and independently: a channel already sent (a
redelivery, or a retry after the other channel failed) is skipped, so a retry resends only what
failed.

Only the channels the order's owner wants go out (`ChannelPreferences`, e.g. SMS turned off);
a channel turned off is skipped, not failed. When the preferences cannot be read, the event
fails like a delivery and is retried with backoff (dead-lettered, never dropped, if it keeps
failing): sending on a channel the user turned off breaks their choice for good, while waiting
only delays the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

import msgspec

from kernel.contacts import is_email, is_phone
from kernel.logs import describe
from kernel.tracing import span
from notify.dedup import Claim
from notify.errors import DeliveryError, PermanentDeliveryError
from notify.metrics import NOTIFICATIONS_TURNED_OFF, sent
from notify.templates import NOTIFIED_TYPES, Email, Notification, Sms, render
from notify.wire import EntryError, WireEvent, event_from_fields, event_type

logger = logging.getLogger(__name__)

# A mark the worker could not write is retried within the event's backoff (seconds to minutes):
# this many outlast any outage that a retry would see end, at ~100 bytes each.
MAX_UNRECORDED = 100_000


class Mailer(Protocol):
    async def send(self, mail: Email, *, key: str) -> None: ...


class SmsSender(Protocol):
    async def send(self, sms: Sms, *, key: str) -> None: ...


class Dedup(Protocol):
    async def claim(self, event_id: str, channel: str) -> Claim: ...
    async def mark_sent(self, event_id: str, channel: str) -> None: ...
    async def release(self, event_id: str, channel: str) -> None: ...


class ChannelPreferences(Protocol):
    """The notification channels each user chose (the user service's)."""

    async def channels(self, owner: str) -> frozenset[str] | None:
        """The channels `owner` wants notifications on (a subset of {"email", "sms"}); None
        when they chose none (no profile): then every channel. Raises when it cannot tell now;
        it must bound its own wait."""


class Outcome(enum.StrEnum):
    SENT = "sent"  # every notification is out (some may have gone out before)
    DUPLICATE = "duplicate"  # every notification had gone out before: a redelivery
    # nothing to send: a type nobody is told about, no contact, or every channel turned off
    SKIPPED = "skipped"
    BUSY = "busy"  # another worker is sending one of them right now: look again later
    FAILED = "failed"  # a channel failed: retry later, or park it (`permanent`)


class Result(msgspec.Struct, frozen=True):
    outcome: Outcome
    event_type: str
    event_id: str = ""
    error: str = ""
    permanent: bool = False


class Notifier:
    """Sends events' notifications; with `preferences`, only on the channels the order's owner
    wants (without, or for an event that names no owner: on every channel)."""

    def __init__(
        self,
        mailer: Mailer,
        sms: SmsSender,
        dedup: Dedup,
        *,
        preferences: ChannelPreferences | None = None,
        web_url: str = "",
    ) -> None:
        self._mailer = mailer
        self._web_url = web_url
        self._sms = sms
        self._dedup = dedup
        self._preferences = preferences
        # (event id, channel) of notifications this process sent whose "sent" mark Redis did
        # not take (an outage, a timeout): an insertion-ordered set, oldest dropped past the cap.
        self._unrecorded: dict[tuple[str, str], None] = {}

    async def handle(self, fields: Mapping[bytes, bytes]) -> Result:
        """Send what the entry's event asks for; never raises for a delivery failure."""
        kind = event_type(fields)
        if kind not in NOTIFIED_TYPES:  # acked unread: other consumers care about those
            return Result(Outcome.SKIPPED, kind)
        try:
            event = event_from_fields(fields)
        except EntryError as exc:
            return Result(Outcome.FAILED, kind, error=str(exc), permanent=True)
        # The send joins the trace of the request that made the change (nothing when off).
        attributes = {"messaging.message.id": event.id, "skyfare.event.type": kind}
        with span(f"notify {kind}", parent=event.traceparent, consumer=True, attributes=attributes):
            return await self._handle(event, kind)

    async def _handle(self, event: WireEvent, kind: str) -> Result:
        notifications = render(event, web_url=self._web_url)
        if notifications and event.owner is not None and self._preferences is not None:
            try:
                wanted = await self._preferences.channels(event.owner)
            except Exception as exc:  # retried like a delivery: see the module's docstring
                error = f"notification preferences unavailable: {describe(exc)}"
                return Result(Outcome.FAILED, kind, event.id, error=error)
            notifications = _on(wanted, notifications)
        if not notifications:
            return Result(Outcome.SKIPPED, kind, event.id)
        results = await asyncio.gather(
            *(self._deliver(event.id, n) for n in notifications), return_exceptions=True
        )
        return _combine(kind, event.id, notifications, results)

    async def _deliver(self, event_id: str, notification: Notification) -> Outcome:
        """SENT now, DUPLICATE (sent before) or BUSY; raises what the channel raised."""
        channel = notification.channel
        _check_recipient(notification)
        if (event_id, channel) in self._unrecorded:  # sent by us: only "sent" is missing
            await self._record_sent(event_id, channel)
            return Outcome.SENT
        claim = await self._dedup.claim(event_id, channel)
        if claim is Claim.SENT:
            return Outcome.DUPLICATE
        if claim is Claim.BUSY:
            return Outcome.BUSY
        key = f"{event_id}.{channel}"
        try:
            if isinstance(notification, Email):
                await self._mailer.send(notification, key=key)
            else:
                await self._sms.send(notification, key=key)
        except Exception:
            # Let the retry claim it at once; if even this fails, the lease runs out instead.
            with contextlib.suppress(Exception):
                await self._dedup.release(event_id, channel)
            raise
        sent(channel).inc()
        await self._record_sent(event_id, channel)
        return Outcome.SENT

    async def _record_sent(self, event_id: str, channel: str) -> None:
        """Write "sent"; when Redis cannot take it now, remember it here, so that the retry
        writes it then instead of sending again (our claim is still ours: it would)."""
        try:
            await self._dedup.mark_sent(event_id, channel)
        except Exception as exc:
            self._unrecorded[(event_id, channel)] = None
            if len(self._unrecorded) > MAX_UNRECORDED:
                del self._unrecorded[next(iter(self._unrecorded))]
            raise DeliveryError(f"sent, but not yet recorded as sent ({describe(exc)})") from exc
        self._unrecorded.pop((event_id, channel), None)


def _on(wanted: frozenset[str] | None, notifications: list[Notification]) -> list[Notification]:
    if wanted is None:
        return notifications
    for n in notifications:
        if n.channel not in wanted:
            NOTIFICATIONS_TURNED_OFF.labels(n.channel).inc()
    return [n for n in notifications if n.channel in wanted]


def _check_recipient(notification: Notification) -> None:
    """PermanentDeliveryError for a recipient no provider should be handed: the API refuses
    them, but events written before it did (or by another writer) may still carry one, and a
    mail server would read `a,b@x` as two recipients or `<x>@y` as `x`. No retry can fix it."""
    if isinstance(notification, Email):
        if not is_email(notification.to):
            raise PermanentDeliveryError("not a deliverable email address")
    elif not is_phone(notification.to):
        raise PermanentDeliveryError("not an E.164 phone number")


def _combine(
    kind: str,
    event_id: str,
    notifications: Sequence[Notification],
    results: Sequence[Outcome | BaseException],
) -> Result:
    failures: list[tuple[str, Exception]] = []
    for notification, result in zip(notifications, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result  # a cancellation: the worker is going away
            failures.append((notification.channel, result))
    if failures:
        error = "; ".join(f"{channel}: {describe(exc)}" for channel, exc in failures)
        permanent = all(isinstance(exc, PermanentDeliveryError) for _, exc in failures)
        return Result(Outcome.FAILED, kind, event_id, error=error, permanent=permanent)
    if Outcome.BUSY in results:
        return Result(Outcome.BUSY, kind, event_id)
    if all(result is Outcome.DUPLICATE for result in results):
        return Result(Outcome.DUPLICATE, kind, event_id)
    return Result(Outcome.SENT, kind, event_id)
