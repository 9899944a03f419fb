"""What a failed delivery's error says (the worker logs it, and the dead letter keeps it)."""

from __future__ import annotations

from notify.dedup import Claim
from notify.handlers import Notifier, Outcome
from tests.fakes import FakeChannelPreferences
from tests.unit.notify.test_channel_preferences import Mailer, Sent, SmsSender, _fields


class TimingOut(Sent):
    """A dedup whose Redis call times out: asyncio's TimeoutError, which has no message."""

    async def claim(self, event_id: str, channel: str) -> Claim:
        raise TimeoutError


async def test_a_failure_without_a_message_is_named_by_its_type() -> None:
    dedup = TimingOut()
    notifier = Notifier(
        Mailer(dedup), SmsSender(dedup), dedup, preferences=FakeChannelPreferences()
    )

    result = await notifier.handle(_fields())

    assert (result.outcome, result.permanent) == (Outcome.FAILED, False)
    assert result.error == "email: TimeoutError; sms: TimeoutError"
