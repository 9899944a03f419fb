"""The whole booking story over real servers: search → offer → hold → pay → signed webhook →
ticketed → `order.confirmed` relayed to the stream → the worker mails and texts the traveler."""

from __future__ import annotations

import uuid

import redis.asyncio as redis

from skyfare.settings import Settings
from tests.support.notify import NotifySim
from tests.support.payment_app import PayEnv, nothing_left, notified_app
from tests.support.payment_sim import eventually


async def test_a_paid_order_is_ticketed_and_the_traveler_gets_a_mail_and_an_sms(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        await _book_pay_and_get_notified(env, sim, client, stream)


async def _book_pay_and_get_notified(
    env: PayEnv, sim: NotifySim, client: redis.Redis, stream: str
) -> None:
    alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
    order = await env.held_order(alice)
    paid = await env.pay(alice, order["id"])
    assert paid.status == 202, await paid.text()  # read: the connection goes back at once
    confirmed = await env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    reference = confirmed["booking_reference"]

    def mine(messages: list[dict[str, object]]) -> list[dict[str, object]]:
        return [m for m in messages if reference in str(m)]

    await eventually(sim.mails, lambda ms: any("confirmed" in str(m) for m in mine(ms)))
    await eventually(sim.sms, lambda ms: any("confirmed" in str(m) for m in mine(ms)))
    # Exactly one of each, counted once nothing is left to deliver: a duplicate would be sent
    # by then (every event published, every entry acknowledged by the worker).
    await eventually(lambda: nothing_left(env, client, stream), lambda done: done)
    [mail] = [m for m in mine(await sim.mails()) if "confirmed" in str(m["subject"])]
    assert confirmed["ticket_numbers"][0] in str(mail)
    [text] = [m for m in mine(await sim.sms()) if "confirmed" in str(m["body"])]
    assert confirmed["ticket_numbers"][0] in str(text["body"])

    # Cancelling it refunds it, and the traveler is told so (not "nothing was charged").
    cancel = await env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert (await cancel.json())["payment_status"] == "refunded"
    mails = await eventually(sim.mails, lambda ms: any("cancelled" in str(m) for m in mine(ms)))
    [cancelled] = [m for m in mine(mails) if "cancelled" in str(m["subject"])]
    assert "being refunded to your card" in str(cancelled["body"])
