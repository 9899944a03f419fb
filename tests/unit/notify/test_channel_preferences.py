"""The worker sends only on the channels the order's owner wants; a channel turned off is
skipped (not failed), and preferences it cannot read fail the event for a retry (never a send)."""

from __future__ import annotations

import msgspec
import pytest

from booking.events import encode_event
from kernel.errors import ServiceUnavailable
from notify.dedup import Claim
from notify.handlers import Notifier, Outcome
from notify.templates import Email, Sms
from tests.fakes import FakeChannelPreferences
from tests.support.notify import order_event


class Sent:
    """The mailer, the SMS sender and the dedup at once: records what went out."""

    def __init__(self) -> None:
        self.mails: list[str] = []
        self.sms: list[str] = []
        self.sent: set[tuple[str, str]] = set()

    async def claim(self, event_id: str, channel: str) -> Claim:
        return Claim.SENT if (event_id, channel) in self.sent else Claim.CLAIMED

    async def mark_sent(self, event_id: str, channel: str) -> None:
        self.sent.add((event_id, channel))

    async def release(self, event_id: str, channel: str) -> None:
        pass


class Mailer:
    def __init__(self, sent: Sent) -> None:
        self._sent = sent

    async def send(self, mail: Email, *, key: str) -> None:
        self._sent.mails.append(mail.to)


class SmsSender:
    def __init__(self, sent: Sent) -> None:
        self._sent = sent

    async def send(self, sms: Sms, *, key: str) -> None:
        self._sent.sms.append(sms.to)


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
def preferences() -> FakeChannelPreferences:
    return FakeChannelPreferences()


@pytest.fixture
def notifier(sent: Sent, preferences: FakeChannelPreferences) -> Notifier:
    return Notifier(Mailer(sent), SmsSender(sent), sent, preferences=preferences)


def _fields(owner: str | None = "usr_ada") -> dict[bytes, bytes]:
    event = msgspec.structs.replace(order_event("order.held"), owner=owner)
    return {b"id": event.id.encode(), b"type": event.type.encode(), b"event": encode_event(event)}


async def test_sms_turned_off_sends_the_mail_only(
    notifier: Notifier, sent: Sent, preferences: FakeChannelPreferences
) -> None:
    preferences.channels_of["usr_ada"] = frozenset({"email"})

    result = await notifier.handle(_fields())

    assert result.outcome is Outcome.SENT
    assert (sent.mails, sent.sms) == (["ada@example.com"], [])
    assert preferences.asked == ["usr_ada"]


async def test_every_channel_turned_off_is_skipped_not_failed(
    notifier: Notifier, sent: Sent, preferences: FakeChannelPreferences
) -> None:
    preferences.channels_of["usr_ada"] = frozenset()

    result = await notifier.handle(_fields())

    assert result.outcome is Outcome.SKIPPED
    assert (sent.mails, sent.sms) == ([], [])


@pytest.mark.parametrize("owner", ["usr_no_profile", None])
async def test_no_preferences_or_no_owner_sends_on_both_channels(
    notifier: Notifier, sent: Sent, owner: str | None
) -> None:
    result = await notifier.handle(_fields(owner))

    assert result.outcome is Outcome.SENT
    assert (sent.mails, sent.sms) == (["ada@example.com"], ["+442071838750"])


async def test_preferences_that_cannot_be_read_fail_the_event_for_a_retry_sending_nothing(
    notifier: Notifier, sent: Sent, preferences: FakeChannelPreferences
) -> None:
    preferences.fail_with = ServiceUnavailable("users database down")

    result = await notifier.handle(_fields())

    assert (result.outcome, result.permanent) == (Outcome.FAILED, False)
    assert "preferences" in result.error
    assert (sent.mails, sent.sms) == ([], [])


async def test_the_retry_after_the_preferences_came_back_sends_what_they_allow(
    notifier: Notifier, sent: Sent, preferences: FakeChannelPreferences
) -> None:
    preferences.fail_with = ServiceUnavailable("users database down")
    fields = _fields()
    await notifier.handle(fields)
    preferences.fail_with = None
    preferences.channels_of["usr_ada"] = frozenset({"sms"})

    result = await notifier.handle(fields)

    assert result.outcome is Outcome.SENT
    assert (sent.mails, sent.sms) == ([], ["+442071838750"])


async def test_an_event_nobody_is_told_about_never_asks_for_preferences(
    notifier: Notifier, preferences: FakeChannelPreferences
) -> None:
    event = msgspec.structs.replace(order_event("order.held", email=None, phone=None), owner="u")
    fields = {b"id": event.id.encode(), b"type": b"order.held", b"event": encode_event(event)}

    assert (await notifier.handle(fields)).outcome is Outcome.SKIPPED
    assert preferences.asked == []
