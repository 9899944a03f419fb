"""asyncpg's connection options for what sits between Skyfare and PostgreSQL.

Behind PgBouncer in transaction pooling mode a server connection is ours for one transaction,
then another client's. asyncpg's statement cache prepares *named* statements on the server
connection it happens to hold and reuses them later on whichever one it gets next: "prepared
statement does not exist" or "already exists". asyncpg's documented answer for PgBouncer is
`statement_cache_size=0`: every query then goes through the unnamed statement, parsed again
each time (PgBouncer >= 1.21 could keep them with `max_prepared_statements`; Debian 12 ships
1.18). Nothing else in Skyfare keeps session state across transactions: advisory locks are
transaction-scoped (`pg_advisory_xact_lock`, `pg_try_advisory_xact_lock`), there is no `SET`
outside a transaction, no LISTEN, no temporary table (tests/integration/platform/test_pgbouncer.py).
"""

from __future__ import annotations

from typing import Any

from skyfare.settings import Settings


def connect_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `asyncpg.connect` and `asyncpg.create_pool`."""
    if settings.db_pooler == "pgbouncer":
        return {"statement_cache_size": 0}
    return {}
