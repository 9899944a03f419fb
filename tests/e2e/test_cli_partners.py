"""`skyfare migrate` / `skyfare partners ...` as real processes against the test database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from kernel.errors import Unauthorized
from skyfare.migrations import load_migrations
from skyfare.partners import PartnerKeys
from tests.e2e.conftest import closed_port
from tests.support.database import SETUP_TIMEOUT_S
from tests.support.payment_sim import eventually


def _skyfare(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SKYFARE_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "skyfare.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


async def test_a_created_key_is_printed_once_and_authenticates(database_url: str) -> None:
    name = f"partner-{uuid.uuid4().hex[:8]}"
    created = _skyfare(database_url, "partners", "create", "--name", name, "--rate", "3000/min")
    assert created.returncode == 0, created.stderr
    [raw_key] = created.stdout.splitlines()  # the key and nothing else on stdout
    assert raw_key.startswith("sk_live_")
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        partner = await PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S).authenticate(raw_key)
    assert (partner.name, partner.rate_per_s, partner.burst) == (name, 50, 50)

    listed = _skyfare(database_url, "partners", "list")
    assert name in listed.stdout
    assert raw_key[:12] in listed.stdout
    assert raw_key not in listed.stdout + listed.stderr

    revoked = _skyfare(database_url, "partners", "revoke", "--name", name)
    assert revoked.returncode == 0, revoked.stderr
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        with pytest.raises(Unauthorized):
            await PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S).authenticate(raw_key)


async def _lock_waiters(pool: asyncpg.Pool, statement: str) -> int:
    """Backends whose `statement` waits for a lock (PostgreSQL's own account, no clock)."""
    count: int = await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND query LIKE $1 || '%'",
        statement,
    )
    return count


async def test_revoke_waits_for_a_busy_database_instead_of_giving_up_after_a_second(
    database_url: str,
) -> None:
    # A loaded PostgreSQL once took over the 1 s budget of an API request to answer the CLI's
    # revoke, which failed with "skyfare: " and nothing else. A row lock held past that budget
    # (and past the API's 2 s db timeout) stands in for the busy server, deterministically.
    name = f"partner-{uuid.uuid4().hex[:8]}"
    assert _skyfare(database_url, "partners", "create", "--name", name).returncode == 0
    async with asyncpg.create_pool(database_url, min_size=0) as pool, pool.acquire() as holder:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT 1 FROM partners WHERE name = $1 FOR UPDATE", name)
        revoking = asyncio.create_task(
            asyncio.to_thread(_skyfare, database_url, "partners", "revoke", "--name", name)
        )
        waiting = lambda: _lock_waiters(pool, "UPDATE partners SET revoked_at")  # noqa: E731
        await eventually(waiting, lambda count: count > 0, timeout=20)
        await asyncio.sleep(2.5)  # the CLI's UPDATE waits on the lock all this time
        await transaction.rollback()
        revoked = await revoking
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout == f"revoked {name}\n"


def test_creating_a_taken_name_fails_without_printing_a_key(database_url: str) -> None:
    name = f"partner-{uuid.uuid4().hex[:8]}"
    assert _skyfare(database_url, "partners", "create", "--name", name).returncode == 0
    again = _skyfare(database_url, "partners", "create", "--name", name)
    assert again.returncode == 1
    assert again.stdout == ""
    assert again.stderr == f"skyfare: a partner named {name!r} exists already\n"


def test_a_revoked_partner_name_can_be_created_again(database_url: str) -> None:
    name = f"partner-{uuid.uuid4().hex[:8]}"
    assert _skyfare(database_url, "partners", "create", "--name", name).returncode == 0
    assert _skyfare(database_url, "partners", "revoke", "--name", name).returncode == 0
    again = _skyfare(database_url, "partners", "create", "--name", name)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("sk_live_")


async def test_rotating_prints_a_new_key_while_the_old_one_works_out_its_overlap(
    database_url: str,
) -> None:
    name = f"partner-{uuid.uuid4().hex[:8]}"
    created = _skyfare(database_url, "partners", "create", "--name", name, "--rate", "2/min")
    rotated = _skyfare(database_url, "partners", "rotate", "--name", name, "--overlap", "2h")

    assert rotated.returncode == 0, rotated.stderr
    [new_key] = rotated.stdout.splitlines()  # the key and nothing else on stdout
    [old_key] = created.stdout.splitlines()
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        for key in (old_key, new_key):
            partner = await PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S).authenticate(key)
            assert (partner.name, partner.burst) == (name, 1)
    listed = _skyfare(database_url, "partners", "list").stdout.splitlines()
    states = [line.split("\t")[-1] for line in listed if line.startswith(f"{name}\t")]
    assert [state.split(" ")[0] for state in states] == ["retiring", "active"]


def test_rotating_a_partner_that_has_no_key_fails_without_printing_one(database_url: str) -> None:
    rotated = _skyfare(database_url, "partners", "rotate", "--name", "nobody-at-all")
    assert rotated.returncode == 1
    assert rotated.stdout == ""
    assert rotated.stderr == "skyfare: no active partner named 'nobody-at-all'\n"


def test_migrate_reports_and_is_idempotent(database_url: str) -> None:
    first = _skyfare(database_url, "migrate")
    assert first.returncode == 0, first.stderr
    second = _skyfare(database_url, "migrate")
    assert second.stdout.strip() == "applied 0 migration(s): -"


def test_an_unreachable_database_is_one_line_on_stderr() -> None:
    url = f"postgresql://u:secret@127.0.0.1:{closed_port()}/db"
    result = _skyfare(url, "migrate")
    assert result.returncode == 1
    assert result.stderr.startswith("skyfare: PostgreSQL (DATABASE_URL) cannot be reached: ")
    assert len(result.stderr.splitlines()) == 1
    assert "secret" not in result.stderr  # the URL may carry a password


def test_a_malformed_rate_is_a_usage_error(database_url: str) -> None:
    result = _skyfare(database_url, "partners", "create", "--name", "x", "--rate", "fast")
    assert result.returncode == 2
    assert "expected <number>/s" in result.stderr


@pytest.mark.slow
def test_migrate_without_database_url_uses_the_embedded_postgres(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SKYFARE_DATA_DIR=str(tmp_path / "data"), SKYFARE_LOG_LEVEL="WARNING")
    result = subprocess.run(
        [sys.executable, "-m", "skyfare.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = [m.name for m in load_migrations()]  # every package's, on a fresh database
    assert result.stdout == f"applied {len(names)} migration(s): {', '.join(names)}\n"
    assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists()  # stopped again
