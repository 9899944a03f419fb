"""The running test's own time limit (pytest-timeout's), for helpers that wait on something slow.

A helper that waits for a process to start waits as long as the test can, not a guess at how
slow a start may be (a `skyfare serve` start took ~52 s at a load of 15, past the 45 s it was
given): it gives up only a little before the test's timeout would fire, so that its failure says
what it waited for and what the process wrote, and the process is stopped, in place of
pytest-timeout's stack dump. tests/conftest.py notes when each test's timer starts and stops.
"""

from __future__ import annotations

import time

_ends_at: float | None = None


def started(timeout_s: float) -> None:
    """The running test's timer started: it fails `timeout_s` seconds from now."""
    global _ends_at
    _ends_at = time.monotonic() + timeout_s


def ended() -> None:
    """The running test's timer stopped (the test is over)."""
    global _ends_at
    _ends_at = None


def remaining_s() -> float | None:
    """Seconds until the running test's timeout; None where no timer runs (outside pytest,
    `--timeout 0`, a test marked `timeout(0)`)."""
    return None if _ends_at is None else _ends_at - time.monotonic()
