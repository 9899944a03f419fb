"""Stripe's idempotency semantics for the simulated gateway's POSTs.

A key is scoped to the API key that sent it. The same key with the same request (method, path and
JSON body, compared as parsed JSON) replays the first answer, status and body, and does nothing
again; the same key with a different request is refused with 422. Only answers of requests that
ran are kept: a body that could not be parsed leaves the key free.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

_canonical = msgspec.json.Encoder(order="sorted")


class Stored(msgspec.Struct, frozen=True):
    fingerprint: bytes
    status: int
    body: bytes


class KeyReused(Exception):
    """The key was first used for a different request."""


def fingerprint(method: str, path: str, body: Any) -> bytes:
    return hashlib.sha256(f"{method} {path} ".encode() + _canonical.encode(body)).digest()


class IdempotencyCache:
    def __init__(self) -> None:
        self._stored: dict[tuple[str, str], Stored] = {}

    def replay(self, scope: str, key: str, print_: bytes) -> Stored | None:
        """The stored answer for this key, None if unused; raises KeyReused on a mismatch."""
        stored = self._stored.get((scope, key))
        if stored is None:
            return None
        if stored.fingerprint != print_:
            raise KeyReused(key)
        return stored

    def store(self, scope: str, key: str, print_: bytes, status: int, body: bytes) -> None:
        self._stored[(scope, key)] = Stored(print_, status, body)

    def clear(self) -> None:
        self._stored.clear()
