"""`InMemoryFareCache`: the per-process L1, a bounded LRU whose entries expire at `stale_until`."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from cache.model import FareEntry


class InMemoryFareCache:
    """A `FareCache` in a dict: at most `max_entries`, least recently used evicted first.

    Also the fake of the port in tests. `peek` / `put` are the synchronous forms, so a hot hit
    costs no await; `clock` gives wall-clock unix seconds (injected in tests). `max_entries=0`
    disables it (every lookup misses, nothing is kept).
    """

    def __init__(self, max_entries: int, *, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, FareEntry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: str) -> FareEntry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stale_until <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def peek_fresh(self, key: str) -> FareEntry | None:
        """`peek`, but only a fresh entry (`fresh_until` still ahead); one clock read."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = self._clock()
        if entry.stale_until <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry if entry.fresh_until > now else None

    def put(self, key: str, entry: FareEntry) -> None:
        if self.max_entries <= 0 or entry.stale_until <= self._clock():
            return
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def discard(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    async def get(self, key: str, *, timeout: float) -> FareEntry | None:
        return self.peek(key)

    async def set(self, key: str, entry: FareEntry, *, timeout: float) -> None:
        self.put(key, entry)

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        for key in keys:
            self.discard(key)
