"""`Cut`: a timeout its caller already enforces, so the callee arms no second timer for it.

Every airline call ran under two timers for one deadline: the resilience layer's
(connectors/resilience/attempts.py), which must cut any connector whatever it does with its
`timeout` so that none holds a bulkhead slot past the deadline, and the airline session's
(connectors/http.py), which cuts a client used on its own, and cuts at the airline's ceiling when
that comes first. Arming and cancelling an `asyncio.timeout` costs ~27,000 instructions (~5.6 µs,
uvloop), six airline calls a cold search (bench/results/2026-12-05-cold-cpu-cut-2.md).

`Cut(seconds)` is a float, the seconds left as any `timeout=` is, that also says: the caller runs
this call under its own `asyncio.timeout(seconds)`, armed before the call, in the task the call
runs in. A callee about to cut the call at `seconds` itself (`within`) need not: the caller's
timer, armed first for the same moment or an earlier one, is the one that expires, and raises its
`TimeoutError` where the caller armed it — as it already did when both were armed. What is
computed from a Cut is a plain float again (`budget - elapsed`, a share of it), and
`min(cut, ceiling)` is the Cut only when the ceiling does not come first: a callee that must cut
sooner arms its own timer. Never hand a Cut to a task the caller does not await: the caller's
timer does not cancel that one.

A value rather than a context variable or a per-task registry of cuts: with the running task and
loop looked up on both sides, either cost ~11,000 instructions a call against ~2,300 for this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class Cut(float):
    """Seconds left that the caller enforces itself (see the module's docstring)."""

    __slots__ = ()


async def within(seconds: float, awaitable: Awaitable[T]) -> T:
    """`awaitable`'s result, cut after `seconds` (`TimeoutError`), by a timer of its own unless
    `seconds` is a `Cut` (the caller's timer cuts it as soon)."""
    if type(seconds) is Cut:
        return await awaitable
    async with asyncio.timeout(seconds):
        return await awaitable
