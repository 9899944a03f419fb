"""`bench.profile_shares`: each py-spy sample counted once, for the innermost part it is in."""

from __future__ import annotations

from bench.profile_shares import LOOP, shares

ROOT = "run_api_worker (skyfare/workers.py:36);Runner.run (asyncio/runners.py:118)"
HANDLER = f"{ROOT};RequestHandler._handle_request (aiohttp/web_protocol.py:577)"


def test_the_innermost_known_frame_takes_the_sample() -> None:
    lines = [
        # The handler's asyncpg call: PostgreSQL, not the HTTP server around it.
        f"{HANDLER};create (booking/creation.py:1);"
        "Connection.fetchrow (asyncpg/connection.py:775) 3",
        # redis-py writing through an asyncio stream: Redis (asyncio frames are transparent).
        f"{ROOT};AbstractConnection._send_packed_command (redis/asyncio/connection.py:1);"
        "StreamWriter.write (asyncio/streams.py:1) 2",
        f"{HANDLER};create (booking/creation.py:1) 4",
        # Nothing but the loop: uvloop's C code.
        f"{ROOT} 1",
        "not a sample line",
    ]

    counts, total, writes = shares(lines)

    assert total == 10
    assert counts["PostgreSQL protocol (asyncpg)"] == 3
    assert counts["Redis (redis-py)"] == 2
    assert counts["domain code (booking, search, cache, kernel)"] == 4
    assert counts[LOOP] == 1
    assert writes == 2
