"""Search ids: `srch_` + 16 url-safe characters (96 random bits), minted in batches.

`secrets.token_urlsafe` makes one getrandom syscall per id, a measurable share of a cached
search (which otherwise does no I/O but the response). One `os.urandom` call here serves 256 ids:
12 bytes encode to exactly 16 base64 characters, so slicing one encoded batch gives the same ids
as encoding each 12-byte chunk apart. Unpredictable, unlike a counter, so ids leak no volumes.
"""

from __future__ import annotations

import base64
import os

PREFIX = "srch_"
_RANDOM_BYTES = 12  # → 16 characters, no padding
_BATCH = 256
_minted: list[str] = []


def new_search_id() -> str:
    if not _minted:
        text = base64.urlsafe_b64encode(os.urandom(_RANDOM_BYTES * _BATCH)).decode()
        _minted.extend(PREFIX + text[i : i + 16] for i in range(0, len(text), 16))
    return _minted.pop()


# A forked child must not hand out the ids its parent still holds.
os.register_at_fork(after_in_child=_minted.clear)
