"""Who is calling: the identity every protected route receives, whatever proved it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from aiohttp import web


class Principal(msgspec.Struct, frozen=True):
    """An authenticated traveler (or support agent): `subject` is the token's `sub`."""

    subject: str
    roles: frozenset[str] = frozenset()

    @property
    def is_support(self) -> bool:
        return "support" in self.roles


# Routes receive this callable from the composition root; it raises `kernel.errors.Unauthorized`.
Authenticate = Callable[[web.Request], Awaitable[Principal]]
