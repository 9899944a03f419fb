"""Does PostgreSQL honour `set_config('synchronous_commit', 'off', true)` set inside a statement
at that statement's implicit commit? 200 single-statement transactions per variant on a private
embedded PostgreSQL; right after each, whether its WAL was flushed
(bench/results/2026-12-05-held-async-commit.md).

    python bench/results/2026-12-05-held-async-commit-set-config-check.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import asyncpg

from skyfare.embedded import EmbeddedPostgres

LAG = "SELECT pg_current_wal_insert_lsn() > pg_current_wal_flush_lsn()"
INSERT = "WITH i AS (INSERT INTO t (v) VALUES ($1) RETURNING id) SELECT id"
OFF = "set_config('synchronous_commit', 'off', true)"
VARIANTS = (
    ("plain", f"{INSERT} FROM i", ()),
    ("set_config in final select", f"{INSERT}, {OFF} FROM i", ()),
    (
        "CASE WHEN $2 THEN set_config, $2 false",
        f"{INSERT}, CASE WHEN $2 THEN {OFF} END FROM i",
        (False,),
    ),
    (
        "CASE WHEN $2 THEN set_config, $2 true",
        f"{INSERT}, CASE WHEN $2 THEN {OFF} END FROM i",
        (True,),
    ),
    ("plain again", f"{INSERT} FROM i", ()),
)


async def main(url: str) -> None:
    conn = await asyncpg.connect(url)
    await conn.execute("CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, v text)")
    for label, sql, args in VARIANTS:
        lagging = 0
        for n in range(200):
            await conn.fetchrow(sql, str(n), *args)
            lagging += await conn.fetchval(LAG)
        setting = await conn.fetchval("SHOW synchronous_commit")
        print(
            f"{label}: commits whose WAL was not yet flushed right after: {lagging}/200"
            f" | session synchronous_commit after: {setting}"
        )
    await conn.close()


if __name__ == "__main__":
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="held-check-")) / "pg")
    try:
        asyncio.run(main(server.start()))
    finally:
        server.stop()
