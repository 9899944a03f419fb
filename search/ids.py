"""Search ids: `srch_` + 16 url-safe characters (96 random bits), minted in batches.

`secrets.token_urlsafe` makes one getrandom syscall per id, a measurable share of a cached
search (which otherwise does no I/O but the response). One `os.urandom` call here serves 256 ids:
12 bytes encode to exactly 16 base64 characters, so slicing one encoded batch gives the same ids
as encoding each 12-byte chunk apart. Unpredictable, unlike a counter, so ids leak no volumes.

Minted as ASCII bytes: a cached answer is bytes joined around the id, so a hit takes it as is,
with no `.encode()` per answer (with the batch cut below, ~1,900 instructions of a cached
search: bench/results/2026-12-05-cached-budget.md). `new_search_id` gives the same ids as `str`
for the encoded Structs; both take from one pool.
"""

from __future__ import annotations

import base64
import os
import struct

PREFIX = b"srch_"
_RANDOM_BYTES = 12  # → 16 characters, no padding
_CHARS = 16
_BATCH = 256
# An encoded batch → its 256 pieces of 16 characters; `srch_` + a piece, 256 times over → the ids.
_PIECES = struct.Struct(f"{_CHARS}s" * _BATCH)
_IDS = struct.Struct(f"{len(PREFIX) + _CHARS}s" * _BATCH)
_minted: list[bytes] = []


def new_search_id_bytes() -> bytes:
    if not _minted:
        text = base64.urlsafe_b64encode(os.urandom(_RANDOM_BYTES * _BATCH))
        # The prefix put before every piece, then cut at every id: three calls into C instead of
        # a Python loop of 256 slices and concatenations (~1,100 instructions a search id).
        _minted.extend(_IDS.unpack(PREFIX + PREFIX.join(_PIECES.unpack(text))))
    return _minted.pop()


def new_search_id() -> str:
    return new_search_id_bytes().decode()


# A forked child must not hand out the ids its parent still holds.
os.register_at_fork(after_in_child=_minted.clear)
