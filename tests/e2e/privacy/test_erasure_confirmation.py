"""The erasure's confirmation, end to end: `DELETE /v1/me` → the outbox → the relay → the worker
→ the SMTP sink and the SMS provider; and afterwards the address is nowhere: not in PostgreSQL,
not on the event stream, not in its dead letters."""

from __future__ import annotations

import uuid
from typing import Any

import redis.asyncio as redis

from skyfare.settings import Settings
from tests.support.payment_app import PayEnv, nothing_left, notified_app
from tests.support.payment_sim import eventually

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
SUBJECT = "Your Skyfare account and data were erased"


async def _profile(env: PayEnv, headers: dict[str, str], **fields: Any) -> None:
    assert (await env.client.get("/v1/me", headers=headers)).status == 200  # made from the token
    patched = await env.client.patch("/v1/me", json=fields, headers={**headers, **MERGE_PATCH})
    assert patched.status == 200, await patched.text()


async def _erase(env: PayEnv, headers: dict[str, str]) -> None:
    response = await env.client.delete("/v1/me", headers=headers)
    assert response.status == 200, await response.text()


async def _found_in_redis(client: redis.Redis, stream: str, needle: str) -> list[str]:
    """Where `needle` is in the stream, its dead letters, or any key's name."""
    found = []
    for name in (stream, f"{stream}:dead"):
        for entry_id, fields in await client.xrange(name):
            if needle.encode() in b"".join(fields.values()):
                found.append(f"{name} {entry_id!r}")
    found += [repr(key) async for key in client.scan_iter(match=f"*{needle}*")]
    return found


async def test_the_erasure_is_confirmed_to_the_address_which_is_then_kept_nowhere(
    settings: Settings, stream: str, redis_url: str
) -> None:
    email = f"ada.{uuid.uuid4().hex[:10]}@example.com"
    phone = "+442071838750"
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        ada = await env.booking.token(f"usr_ada{uuid.uuid4().hex[:8]}")
        await _profile(env, ada, given_name="Ada", email=email, phone_number=phone)
        await _erase(env, ada)
        # A retry with the same token: its session ended with the erasure, so it is refused, and
        # nothing more is erased or confirmed.
        retried = await env.client.delete("/v1/me", headers=ada)
        assert retried.status == 401
        assert (await retried.json())["type"].endswith("/account-erased")

        await eventually(sim.mails, lambda ms: any(m["to"] == [email] for m in ms))
        await eventually(lambda: nothing_left(env, client, stream), lambda done: done)
        [mail] = [m for m in await sim.mails() if m["to"] == [email]]
        texts = [m for m in await sim.sms() if "erased" in m["body"]]
        in_redis = await _found_in_redis(client, stream, email)
        in_outbox = await env.pool.fetch(
            "SELECT type FROM outbox WHERE payload::text LIKE '%' || $1 || '%'", email
        )
        notice = await env.pool.fetchrow(
            "SELECT payload FROM outbox WHERE type = 'account.erased'"
            " AND published_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        )
        profiles = await env.pool.fetchval("SELECT count(*) FROM users WHERE email = $1", email)
    assert mail["subject"] == SUBJECT
    assert mail["body"].startswith("Hello Ada,")
    assert "we do not keep it" in mail["body"]
    assert [t["to"] for t in texts if t["to"] == phone] == [phone]
    assert (in_redis, in_outbox, profiles) == ([], [], 0)
    assert '"contact": null' in notice["payload"]  # the row stays, naming nobody
    assert '"owner"' not in notice["payload"]


async def test_an_erasure_confirmation_that_cannot_be_sent_is_parked_without_the_address(
    settings: Settings, stream: str, redis_url: str
) -> None:
    email = f"grace.{uuid.uuid4().hex[:10]}@example.com"
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        await sim.smtp_behaviour(fail_rate=1.0)  # every mail refused, for good
        grace = await env.booking.token(f"usr_grace{uuid.uuid4().hex[:8]}")
        await _profile(env, grace, email=email, notification_channels=["email"])
        await _erase(env, grace)

        async def parked() -> list[Any]:
            dead: list[Any] = await client.xrange(f"{stream}:dead")
            return [f for _, f in dead if f.get(b"type") == b"account.erased"]

        [letter] = await eventually(parked, lambda found: found != [])
        await eventually(lambda: nothing_left(env, client, stream), lambda done: done)
        in_redis = await _found_in_redis(client, stream, email)
    assert b"event" not in letter
    assert letter[b"error"]
    assert in_redis == []
