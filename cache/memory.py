"""`InMemoryFareCache`: the per-process L1, a bounded LRU whose entries expire at `stale_until`."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from cache.model import FareEntry

# What one entry costs beyond its encoded bytes and key: the struct, its dict slot, the bytes
# objects' headers and the key string's (measured with tracemalloc on CPython 3.11 over 20,000
# entries: 294 bytes each; rounded up).
ENTRY_OVERHEAD_BYTES = 400


def entry_size(key: str, entry: FareEntry) -> int:
    """What keeping `entry` under `key` costs in memory, near enough to bound the total."""
    return len(key) + len(entry.offers) + len(entry.connectors) + ENTRY_OVERHEAD_BYTES


class InMemoryFareCache:
    """A `FareCache` in a dict: at most `max_entries` and `max_bytes`, least recently used
    evicted first.

    Bounded in bytes too because answers differ a hundredfold in size (an empty route against
    500 offers): a count alone lets a worker's memory grow with the routes searched. Also the
    fake of the port in tests. `peek` / `put` are the synchronous forms, so a hot hit costs no
    await; `clock` gives wall-clock unix seconds (injected in tests). `max_entries=0` disables
    it (every lookup misses, nothing is kept); `max_bytes=0` leaves only the count.
    """

    def __init__(
        self, max_entries: int, *, max_bytes: int = 0, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0  # what the entries held now cost (entry_size)
        self._clock = clock
        self._entries: OrderedDict[str, FareEntry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: str) -> FareEntry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stale_until <= self._clock():
            self.discard(key)
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
            self.discard(key)
            return None
        self._entries.move_to_end(key)
        return entry if entry.fresh_until > now else None

    def put(self, key: str, entry: FareEntry) -> None:
        if self.max_entries <= 0 or entry.stale_until <= self._clock():
            return
        size = entry_size(key, entry)
        if self.max_bytes and size > self.max_bytes:
            self.discard(key)  # too big to keep: an older answer under the key is wrong now
            return
        self.discard(key)
        self._entries[key] = entry
        self.bytes += size
        while len(self._entries) > self.max_entries or (
            self.max_bytes and self.bytes > self.max_bytes
        ):
            oldest, evicted = self._entries.popitem(last=False)
            self.bytes -= entry_size(oldest, evicted)

    def discard(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry_size(key, entry)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    async def get(self, key: str, *, timeout: float) -> FareEntry | None:
        return self.peek(key)

    async def set(self, key: str, entry: FareEntry, *, timeout: float) -> None:
        self.put(key, entry)

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        for key in keys:
            self.discard(key)
