"""The user service's PostgreSQL access: kernel/pg.py's `Database`, naming profiles in its 503s."""

from __future__ import annotations

from kernel import pg


class Database(pg.Database):
    NOUN = "profiles"
