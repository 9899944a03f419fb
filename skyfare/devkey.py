"""The development partner key `skyfare up` prints, so the partner endpoints can be tried at once.

Partner keys are stored hashed, so a key can only be shown when it is made. The dev key is also
kept in the data directory, beside the embedded database it belongs to (mode 0600), and reused
while it still authenticates, so a second `make run` prints the same key. Only `skyfare up`, the
development stack with the simulated airlines, makes one; `skyfare serve` never does.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import asyncpg

from kernel.errors import DomainError, Unauthorized
from kernel.logs import describe
from skyfare.partners import PartnerKeys
from skyfare.postgres import connect_options
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

KEY_FILE = "dev-partner-key"
RATE_PER_S = 50.0
BURST = 100


async def dev_partner_key(settings: Settings) -> str | None:
    """The dev key kept under the data dir if it still works, else a new one; None if the
    database cannot be reached (the stack still starts: searches need no database)."""
    assert settings.database_url is not None, "embedded services start first"
    path = Path(settings.data_dir) / KEY_FILE
    try:
        conn = await asyncpg.connect(
            settings.database_url, timeout=settings.db_timeout_s, **connect_options(settings)
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        logger.warning("no dev partner key: the database does not answer: %s", describe(exc))
        return None
    try:
        keys = PartnerKeys(conn, timeout_s=settings.db_timeout_s)
        if path.exists():
            kept = path.read_text().strip()
            try:
                await keys.authenticate(kept)
                return kept
            except Unauthorized:
                logger.info("the kept dev partner key no longer works: making a new one")
        _, raw_key = await keys.create(
            "dev-" + secrets.token_hex(3), rate_per_s=RATE_PER_S, burst=BURST
        )
        _write_private(path, raw_key)
        return raw_key
    except (DomainError, OSError, asyncpg.PostgresError) as exc:
        logger.warning("no dev partner key: %s", describe(exc))
        return None
    finally:
        await conn.close()


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text + "\n")
