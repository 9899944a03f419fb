"""What the end-to-end suites check once each test is over: every history step written meanwhile
whose kind holds details stored them (booking/sql/0154), so no writer leaves its step to be read
back from its reason (booking/history_reasons.py reads only the steps written before)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from booking.history_reasons import DETAILED_CODES


async def steps_from(pool: asyncpg.Pool) -> dt.datetime:
    """The moment from which `check_details_stored` looks at the steps written."""
    moment: dt.datetime = await pool.fetchval("SELECT clock_timestamp()")
    return moment


async def check_details_stored(pool: asyncpg.Pool, since: dt.datetime) -> None:
    rows = await pool.fetch(
        "SELECT code, reason FROM order_history"
        " WHERE at >= $1 AND code = ANY($2::text[]) AND details IS NULL ORDER BY id",
        since,
        sorted(DETAILED_CODES),
    )
    assert not rows, f"steps written without their details: {[tuple(r) for r in rows]}"
