"""`Bulkhead`: bounded concurrent calls to one airline, without a queue."""

from __future__ import annotations

from connectors.errors import BulkheadFull


class Bulkhead:
    """At most `max_concurrency` calls in flight; the next one is refused at once.

    No queue on purpose: a queued call would wait on a slow airline while its search deadline runs
    out, and the waiting tasks would pile up. Refusing immediately turns overload into a `skipped`
    connector in the search meta and keeps the rest of the fan-out fast.
    """

    def __init__(self, name: str, max_concurrency: int) -> None:
        self.name = name
        self.max_concurrency = max_concurrency
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Calls holding a slot now."""
        return self._in_flight

    def try_acquire(self) -> bool:
        """Take a slot if one is free."""
        if self._in_flight >= self.max_concurrency:
            return False
        self._in_flight += 1
        return True

    def acquire(self) -> None:
        """Take a slot or raise `BulkheadFull`."""
        if not self.try_acquire():
            raise BulkheadFull(
                f"{self.name}: {self.max_concurrency} calls already in flight, call skipped"
            )

    def release(self) -> None:
        """Give back a slot taken with `acquire` or a successful `try_acquire`."""
        if self._in_flight <= 0:
            raise RuntimeError(f"{self.name}: bulkhead released more often than acquired")
        self._in_flight -= 1
