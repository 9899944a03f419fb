"""The retry schedule: exponential by delivery count, capped, jittered, the same on every look."""

from __future__ import annotations

from notify.retry import Backoff, jitter


def test_delays_double_with_each_failed_delivery_within_their_jitter_band() -> None:
    backoff = Backoff(base_s=1.0, max_s=60.0)

    for attempts in range(1, 6):
        ceiling = 2.0 ** (attempts - 1)
        delay = backoff.delay_s(attempts, "1700000000000-0")
        assert ceiling / 2 <= delay < ceiling


def test_delays_stop_growing_at_the_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=8.0)

    assert all(4.0 <= backoff.delay_s(n, "e") < 8.0 for n in range(4, 30))


def test_the_same_message_and_attempt_always_get_the_same_delay() -> None:
    backoff = Backoff(base_s=0.5, max_s=30.0)

    assert backoff.delay_s(3, "1-0") == backoff.delay_s(3, "1-0")


def test_messages_that_failed_together_spread_out_instead_of_retrying_in_lockstep() -> None:
    delays = {Backoff().delay_s(4, f"1700000000000-{i}") for i in range(100)}

    assert len(delays) == 100
    assert max(delays) - min(delays) > 3.0  # across most of the 4–8 s band


def test_a_message_is_due_once_it_waited_its_delay() -> None:
    backoff = Backoff(base_s=1.0, max_s=30.0)
    delay = backoff.delay_s(2, "7-0")

    assert not backoff.due(2, "7-0", idle_s=delay - 0.01)
    assert backoff.due(2, "7-0", idle_s=delay)


def test_jitter_is_a_fraction_spread_over_the_unit_interval() -> None:
    fractions = [jitter(str(i)) for i in range(1000)]

    assert all(0.0 <= f < 1.0 for f in fractions)
    assert 0.45 < sum(fractions) / len(fractions) < 0.55
