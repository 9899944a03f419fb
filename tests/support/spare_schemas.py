"""Migrated test schemas a test is done with, emptied and kept for the next test (migrated_pool).

Building a schema (every migration's DDL) takes PostgreSQL ~0.6 s, and a test then drops it
(~0.2 s more); emptying one takes a few hundredths. So a schema comes back here when its test is
done, and is handed out again only in the state a fresh one would be in:

- its definition (tables, columns, defaults, constraints, indexes, triggers and whether they fire,
  functions, types, views, policies, sequences' parameters, privileges) is what it was when it was
  migrated, else it is dropped as before (tests drop triggers, add probe tables, drop columns);
- the rows the migrations wrote (`schema_migrations`) are unchanged, else it is dropped;
- every other table that has rows is truncated, and every sequence restarts at its start.

A test that fails keeps its schema, as before (migrated_pool drops only after a passing body).
The kept schemas are dropped when the session's database fixture ends (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Hashable

import asyncpg
import msgspec

# One line of text per piece of a schema's definition; their digest is compared, so a test that
# changed any of it leaves a schema nobody else gets.
_DEFINITION = """
WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname = $1),
rel AS (SELECT c.* FROM pg_class c JOIN ns ON c.relnamespace = ns.oid),
lines AS (
    SELECT 'schema ' || nspowner::regrole::text || ' ' || coalesce(nspacl::text, '')
    FROM pg_namespace WHERE nspname = $1
    UNION ALL
    SELECT concat_ws(' ', 'rel', relname, relkind, relpersistence, relowner::regrole::text,
                     relacl::text, reloptions::text, relrowsecurity, relforcerowsecurity,
                     relreplident, relispartition, pg_get_expr(relpartbound, oid))
    FROM rel
    UNION ALL
    SELECT concat_ws(' ', 'col', r.relname, a.attnum, a.attname, format_type(a.atttypid,
                     a.atttypmod), a.attnotnull, a.attisdropped, a.attgenerated, a.attidentity,
                     a.attcollation, a.attacl::text, pg_get_expr(d.adbin, d.adrelid))
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0
    UNION ALL
    SELECT concat_ws(' ', 'con', r.relname, t.typname, c.conname, pg_get_constraintdef(c.oid),
                     c.convalidated, c.condeferrable, c.condeferred)
    FROM pg_constraint c JOIN ns ON c.connamespace = ns.oid
    LEFT JOIN pg_class r ON r.oid = c.conrelid LEFT JOIN pg_type t ON t.oid = c.contypid
    UNION ALL
    SELECT concat_ws(' ', 'idx', pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisready)
    FROM pg_index i JOIN rel r ON r.oid = i.indrelid
    UNION ALL
    SELECT concat_ws(' ', 'trg', r.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid
    UNION ALL
    SELECT concat_ws(' ', 'rule', r.relname, w.rulename, w.ev_enabled,
                     pg_get_ruledef(w.oid))
    FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
    UNION ALL
    SELECT concat_ws(' ', 'pol', r.relname, p.polname, p.polcmd, p.polpermissive,
                     p.polroles::text, pg_get_expr(p.polqual, p.polrelid),
                     pg_get_expr(p.polwithcheck, p.polrelid))
    FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
    UNION ALL
    SELECT concat_ws(' ', 'fn', p.proname, pg_get_function_identity_arguments(p.oid),
                     p.prorettype::regtype::text, p.prokind, p.provolatile, p.prosecdef,
                     p.proconfig::text, p.proacl::text, md5(p.prosrc))
    FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid
    UNION ALL
    SELECT concat_ws(' ', 'type', t.typname, t.typtype, t.typacl::text,
                     (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                      FROM pg_enum e WHERE e.enumtypid = t.oid))
    FROM pg_type t JOIN ns ON t.typnamespace = ns.oid
    UNION ALL
    SELECT concat_ws(' ', 'seq', r.relname, s.seqtypid, s.seqstart, s.seqincrement, s.seqmax,
                     s.seqmin, s.seqcache, s.seqcycle)
    FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
)
SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM lines AS l(line)
"""

_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""

_RESTART_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
FROM pg_sequences WHERE schemaname = $1
"""


class Spare(msgspec.Struct, frozen=True):
    schema: str
    definition: str  # the digest of _DEFINITION when it was migrated
    seeded: dict[str, str]  # table → digest of the rows the migrations wrote into it


_lock = threading.Lock()
_spares: dict[Hashable, list[Spare]] = {}
_roles: set[str] = set()  # kept schemas that have a login role of their own (PgBouncer)


def take(key: Hashable) -> Spare | None:
    """A kept schema made for `key` (database, prefix, pooler), as fresh as a new one; or None."""
    with _lock:
        kept = _spares.get(key)
        return kept.pop() if kept else None


async def describe(conn: asyncpg.Connection, schema: str, *, role: bool) -> Spare:
    """What a just-migrated `schema` is, to tell later whether a test changed it."""
    if role:
        with _lock:
            _roles.add(schema)
    tables = await _non_empty(conn, schema)
    return Spare(schema, await _definition(conn, schema), await _digests(conn, schema, tables))


async def give_back(conn: asyncpg.Connection, key: Hashable, spare: Spare) -> bool:
    """Empty `spare` and keep it for `key`; False (the caller drops it) when it cannot be made
    what a new schema is."""
    schema = spare.schema
    if await _definition(conn, schema) != spare.definition:
        return False
    try:
        async with conn.transaction():
            # A connection the test left open holding a lock here: drop rather than wait.
            await conn.execute("SET LOCAL lock_timeout = '5s'")
            filled = [name for name in await _non_empty(conn, schema) if name not in spare.seeded]
            if filled:
                names = ", ".join(_qualified(schema, name) for name in filled)
                await conn.execute(f"TRUNCATE {names} CASCADE")
            await conn.execute(_RESTART_SEQUENCES, schema)
            if await _digests(conn, schema, list(spare.seeded)) != spare.seeded:
                raise _Changed
    except (_Changed, asyncpg.LockNotAvailableError):
        return False
    with _lock:
        _spares.setdefault(key, []).append(spare)
    return True


def drop_all(database_url: str) -> None:
    """Drop every schema kept for `database_url` (and its role): the session is over. Runs its
    own event loop in a thread, whatever loop the caller's thread has."""
    with _lock:
        schemas = [
            spare.schema
            for key, kept in _spares.items()
            if isinstance(key, tuple) and key[0] == database_url
            for spare in kept
        ]
        for key in [key for key in _spares if isinstance(key, tuple) and key[0] == database_url]:
            del _spares[key]
        roles = [schema for schema in schemas if schema in _roles]
    if not schemas:
        return

    async def drop() -> None:
        try:
            conn = await asyncpg.connect(database_url)
        except (OSError, asyncpg.PostgresError):  # the server is gone, and its schemas with it
            return
        try:
            for schema in schemas:
                await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for role in roles:
                await conn.execute(f"DROP ROLE IF EXISTS {role}")
        finally:
            await conn.close()

    thread = threading.Thread(target=asyncio.run, args=(drop(),), name="drop-spare-schemas")
    thread.start()
    thread.join(timeout=60)


class _Changed(Exception):
    """The rows the migrations wrote changed: the schema is not a fresh one."""


async def _definition(conn: asyncpg.Connection, schema: str) -> str:
    digest: str = await conn.fetchval(_DEFINITION, schema)
    return digest


async def _non_empty(conn: asyncpg.Connection, schema: str) -> list[str]:
    tables = [row["relname"] for row in await conn.fetch(_TABLES, schema)]
    if not tables:
        return []
    checks = " UNION ALL ".join(
        f"SELECT {_literal(name)} WHERE EXISTS (SELECT FROM {_qualified(schema, name)})"
        for name in tables
    )
    return [row[0] for row in await conn.fetch(checks)]


async def _digests(conn: asyncpg.Connection, schema: str, tables: list[str]) -> dict[str, str]:
    digests: dict[str, str] = {}
    for name in tables:
        digests[name] = await conn.fetchval(
            f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
            f"FROM {_qualified(schema, name)} AS t"
        )
    return digests


def _qualified(schema: str, name: str) -> str:
    return f'{schema}."{name.replace(chr(34), chr(34) * 2)}"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
