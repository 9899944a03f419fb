"""`Cut` and `within` (kernel/timeouts.py): a timeout its caller enforces arms no second timer."""

from __future__ import annotations

import asyncio

import pytest

from kernel.timeouts import Cut, within


async def test_a_plain_timeout_is_cut_by_a_timer_of_its_own() -> None:
    with pytest.raises(TimeoutError):
        await within(0.01, asyncio.sleep(10))


async def test_a_cut_is_left_to_the_caller_who_enforces_it() -> None:
    # No caller's timer here: only the absence of a timer of its own lets the sleep finish.
    assert await within(Cut(0.001), asyncio.sleep(0.02, result="slept")) == "slept"


async def test_the_callers_timer_cuts_a_cut_await_with_its_own_timeouterror() -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01) as caller:
            await within(Cut(0.01), asyncio.sleep(10))
    assert caller.expired()


def test_what_is_computed_from_a_cut_is_a_plain_timeout_again() -> None:
    cut = Cut(2.0)
    assert cut == 2.0
    assert type(cut - 0.5) is float
    assert type(cut / 2) is float
    assert type(min(cut, 5.0)) is Cut  # the ceiling does not come first: still the caller's
    assert type(min(cut, 1.0)) is float  # the ceiling comes first: the callee arms its own
