"""Telling "it did not wait" without a clock: drive a coroutine by hand and see if it suspends."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any


def run_without_suspending(call: Coroutine[Any, Any, Any]) -> Any:
    """The coroutine's result (or its exception), driven by hand without an event loop.

    Fails if the coroutine ever yields to the loop (a sleep, a lock, any I/O): that is what
    "answers at once" means, checked by what happened rather than by how long it took, which a
    busy machine decides.
    """
    try:
        call.send(None)
    except StopIteration as done:
        return done.value
    call.close()
    raise AssertionError("the call suspended: it waited for something")
