"""The dev partner key `skyfare up` prints: kept under the data dir and reused while it works."""

from __future__ import annotations

import stat
from pathlib import Path

import asyncpg

from skyfare.devkey import KEY_FILE, dev_partner_key
from skyfare.migrations import migrate
from skyfare.partners import PartnerKeys
from skyfare.settings import Settings
from tests.support.database import SETUP_TIMEOUT_S


async def test_the_dev_key_is_kept_private_and_reused_until_it_stops_working(
    database_url: str, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn, timeout=30)
        settings = Settings(database_url=database_url, data_dir=str(tmp_path))

        first = await dev_partner_key(settings)
        again = await dev_partner_key(settings)

        assert first is not None
        assert first.startswith("sk_live_")
        assert again == first
        assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
        keys = PartnerKeys(conn, timeout_s=SETUP_TIMEOUT_S)
        partner = await keys.authenticate(first)
        await keys.revoke(partner.name)

        replaced = await dev_partner_key(settings)

        assert replaced is not None
        assert replaced != first
        # As the next `skyfare up` would check it: a process of its own, its own loaded keys.
        assert await PartnerKeys(conn, timeout_s=SETUP_TIMEOUT_S).authenticate(replaced)
    finally:
        await conn.close()


async def test_no_dev_key_when_the_database_does_not_answer(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none", data_dir=str(tmp_path), db_timeout_s=1
    )

    assert await dev_partner_key(settings) is None
