"""The booking budget's tools: a profile's samples by phase of a hold, PostgreSQL's backends by
the process at the other end of their socket."""

from __future__ import annotations

from bench.booking_pg_split import peers_of
from bench.booking_phases import LOOP, phases

ROOT = "run_api_worker (skyfare/workers.py:36);Runner.run (asyncio/runners.py:118)"
VIEW = (
    f"{ROOT};plumbed.<locals>.plumbing (skyfare/plumbing.py:109);"
    "guarded.<locals>.guard (skyfare/guard.py:82);create_order (booking/routes.py:52);"
    "OrderCreation.create (booking/creation.py:189)"
)

PRICE = "OrderCreation._claimed (booking/creation.py:2);Airline.price (booking/airline.py:1);"


def test_each_sample_goes_to_the_innermost_phase_of_the_hold() -> None:
    lines = [
        # The key's asyncpg calls: the look-up (or a claim), not the view or the HTTP server.
        f"{VIEW};PgIdempotencyStore.claim (booking/idempotency.py:1);"
        "Connection.fetchval (asyncpg/connection.py:1) 3",
        f"{VIEW};PgIdempotencyStore.look_up (booking/idempotency.py:1);"
        "Connection.fetchrow (asyncpg/connection.py:1) 2",
        # The re-price's Redis EXISTS is inside the re-price: the innermost phase wins.
        f"{VIEW};{PRICE}StaleFares.checked (search/stale_fares.py:1);"
        "RedisTagIndex.contains (cache/tags.py:1) 2",
        f"{VIEW};{PRICE}Http1Origin._exchange (kernel/http1.py:1) 5",
        # A Redis write in a task of its own (redis-py's wait_for): its caller is not known.
        f"{ROOT};AbstractConnection._send_packed_command (redis/asyncio/connection.py:1);"
        "StreamWriter.writelines (asyncio/streams.py:346) 4",
        f"{ROOT};OutboxRelay.run (booking/relay.py:1) 1",
        f"{ROOT} 6",
        "not a sample line",
    ]

    counts, total = phases(lines)

    assert total == 23
    assert counts["look up (or claim) the Idempotency-Key (PostgreSQL)"] == 5
    assert counts["re-price bookkeeping: cached? (Redis EXISTS) + usage"] == 2
    assert counts["airline re-price: HTTP call + parsing"] == 5
    assert counts["Redis command in its own task (caller not on the stack)"] == 4
    assert counts["background: outbox relay (PostgreSQL + Redis)"] == 1
    assert counts[LOOP] == 6


def test_a_backend_is_named_by_the_process_at_the_other_end_of_its_socket() -> None:
    ss = "\n".join(
        [
            # PostgreSQL's end (its socket file) and the API worker's.
            'u_str ESTAB 0 0 /tmp/pg/.s.PGSQL.5432 100 * 101 users:(("postgres",pid=7,fd=9))',
            'u_str ESTAB 0 0 * 101 * 100 users:(("python3",pid=40,fd=20))',
            'u_str ESTAB 0 0 /tmp/pg/.s.PGSQL.5432 102 * 103 users:(("postgres",pid=8,fd=9))',
            'u_str ESTAB 0 0 * 103 * 102 users:(("python3",pid=41,fd=11))',
            # A peer this user cannot see, and a socket still listening: no pair.
            'u_str ESTAB 0 0 * 104 * 999 users:(("postgres",pid=9,fd=3))',
            "u_str LISTEN 0 0 /tmp/pg/.s.PGSQL.5432 105 * 0",
        ]
    )

    peers = peers_of(ss)

    assert peers[7] == {40}
    assert peers[40] == {7}
    assert peers[8] == {41}
    assert 9 not in peers
