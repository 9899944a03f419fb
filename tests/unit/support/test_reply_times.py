"""When an agent's reply is dated: the helpdesk's time, but never in our future."""

import datetime as dt

from support.webhook import written_at

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


def test_a_reply_is_dated_when_the_agent_wrote_it() -> None:
    earlier = NOW - dt.timedelta(minutes=3)
    assert written_at(earlier.timestamp(), NOW) == earlier


def test_a_helpdesk_clock_ahead_of_ours_dates_no_reply_in_the_future() -> None:
    assert written_at((NOW + dt.timedelta(days=400)).timestamp(), NOW) == NOW


def test_a_time_that_cannot_be_read_is_left_to_when_the_reply_arrived() -> None:
    assert written_at(None, NOW) is None
    assert written_at(1e20, NOW) is None
