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

That is also why a connection goes back to the pool without asyncpg's reset query
(`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`): it would undo session state we
never create, and it was a round trip on every release — three per order hold (issue 18,
bench/results/2026-12-04-booking-round-trips.md). asyncpg still rolls back a transaction left
open and drops its listeners on release (`Connection._reset`), whatever the reset query.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from skyfare.settings import Settings


class StatelessConnection(asyncpg.Connection):
    """A connection of an application that keeps no session state (tests/unit/skyfare/
    test_no_session_state.py guards it): released to the pool with no reset query."""

    def get_reset_query(self) -> str:
        return ""


def connect_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `asyncpg.connect` and `asyncpg.create_pool`."""
    options: dict[str, Any] = {"connection_class": StatelessConnection}
    if settings.db_pooler == "pgbouncer":
        options["statement_cache_size"] = 0
    return options
