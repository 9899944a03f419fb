"""Cache keys: a versioned prefix and a hash of the caller's canonical bytes for the query.

Callers encode everything that changes the answer (and nothing else) deterministically; the hash
keeps keys short and free of airport pairs or dates a human might read as structure. Bump the
version when the stored format or the canonical encoding changes.
"""

from __future__ import annotations

import hashlib

PREFIX = "skyfare:fares:v1:"


def fare_key(canonical: bytes) -> str:
    return PREFIX + hashlib.blake2b(canonical, digest_size=16).hexdigest()
