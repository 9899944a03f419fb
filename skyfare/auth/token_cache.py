"""`VerifiedTokens`: a bounded per-process memory of tokens already verified (issue 18).

Verifying an ES256 signature is the largest part of an authenticated request's CPU. A token
that verified once is the same bytes the next time: its principal is remembered, keyed by the
exact token, until shortly before its `exp` (`margin_s` before, never after: verification itself
would still accept it for the leeway after). Entries carry the key set's generation, and the
first lookup or store under another generation forgets them all: a rotated or retired key is
judged by the full path again. At most `max_entries` tokens of at most `max_token_chars` each
are held (the oldest goes first), so the memory is bounded in bytes, not only in entries.

Only successes are remembered: a refused token is checked again each time, so a 401 always
says what is wrong with it now.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kernel.auth import Principal

MAX_ENTRIES = 4096
# Far above a real access token (~600-1,500 characters); a longer one is verified every time.
MAX_TOKEN_CHARS = 4096
MARGIN_S = 5.0


class VerifiedTokens:
    def __init__(
        self,
        *,
        max_entries: int = MAX_ENTRIES,
        max_token_chars: int = MAX_TOKEN_CHARS,
        margin_s: float = MARGIN_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._max_entries = max_entries
        self._max_token_chars = max_token_chars
        self._margin_s = margin_s
        self._clock = clock  # wall-clock seconds, as `exp`
        self._generation = 0
        # token → (principal, remembered until); insertion order is age.
        self._entries: dict[str, tuple[Principal, float]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, generation: int) -> Principal | None:
        """The principal `token` verified as under key set `generation`, if still remembered."""
        if generation != self._generation:
            self._forget_all(generation)
            return None
        found = self._entries.get(token)
        if found is None:
            return None
        principal, until = found
        if self._clock() >= until:
            del self._entries[token]
            return None
        return principal

    def put(self, token: str, principal: Principal, exp: float, generation: int) -> None:
        """Remember that `token` verified as `principal` under key set `generation`."""
        if generation != self._generation:
            self._forget_all(generation)
        until = exp - self._margin_s
        if len(token) > self._max_token_chars or until <= self._clock():
            return
        entries = self._entries
        if token not in entries and len(entries) >= self._max_entries:
            del entries[next(iter(entries))]
        entries[token] = (principal, until)

    def _forget_all(self, generation: int) -> None:
        self._entries.clear()
        self._generation = generation
