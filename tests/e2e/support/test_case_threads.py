"""What a traveler reads of their case, over real HTTP with the helpdesk sim: the thread in the
order it was written whatever order the helpdesk's deliveries came in, and a case only the
order's traveler opens (support staff read orders, they do not write as their travelers)."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.e2e.support.conftest import SupportEnv
from tests.support.booking import Headers
from tests.support.payment_app import FAST_WEBHOOKS
from tests.support.payment_sim import eventually


async def test_replies_read_in_the_order_agents_wrote_them_when_a_delivery_came_late(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    _, case, desk = await env.held_case(alice, days=53, subject="Bags", message="Two bags?")
    webhook = str(env.client.make_url("/v1/support/webhook"))

    # The first reply's delivery fails (the helpdesk gives up for now); the second goes through,
    # then the first is delivered again: it arrives last.
    await env.helpdesk.configure_webhook(url=webhook + "-down", max_attempts=1)
    first = await env.helpdesk.reply(desk["id"], "Yes: the second bag is 35 EUR.")
    await eventually(
        lambda: env.helpdesk.deliveries(first), lambda ds: bool(ds) and ds[0]["state"] == "gave_up"
    )
    await env.helpdesk.configure_webhook(url=webhook, max_attempts=0, **FAST_WEBHOOKS)
    second = await env.helpdesk.reply(desk["id"], "Anything else I can do?")
    await eventually(lambda: env.helpdesk.delivered(second), bool)
    await env.helpdesk.redeliver(first)
    await eventually(lambda: env.helpdesk.delivered(first), bool)

    [seen] = await env.cases(alice)
    assert [m["body"] for m in seen["messages"]] == [
        "Two bags?", "Yes: the second bag is 35 EUR.", "Anything else I can do?"]  # fmt: skip
    # Each reply says when the agent wrote it (the helpdesk's time), not when it reached us.
    desk_times = [m["at"] for m in (await env.helpdesk.case(case["id"]))["messages"]]
    written = [dt.datetime.fromtimestamp(at, dt.UTC) for at in desk_times[1:]]
    shown = [dt.datetime.fromisoformat(m["at"]) for m in seen["messages"][1:]]
    assert len(shown) == len(written) == 2
    assert all(
        abs(s - w) < dt.timedelta(milliseconds=1) for s, w in zip(shown, written, strict=True)
    )
    assert seen["status"] == "answered"


async def test_support_staff_cannot_open_a_case_as_another_traveler(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=55)
    agent = await env.pay.booking.token(f"agent-{uuid.uuid4().hex[:8]}", roles=["support"])

    response = await env.client.post(
        "/v1/support/cases",
        json={"order_id": order["id"], "subject": "On her behalf", "message": "?"},
        headers=agent,
    )

    # The role reads the order (so it is no 404), but the case would speak as the traveler,
    # be listed as the agent's, and mail the traveler replies to a case they cannot see.
    assert response.status == 403, await response.text()
    assert all(c["context"]["order_id"] != order["id"] for c in await env.helpdesk.cases())
    assert await env.cases(agent) == []
    # Support reading the order is unchanged.
    assert (await env.client.get(f"/v1/orders/{order['id']}", headers=agent)).status == 200


async def test_a_reply_from_an_agent_without_a_name_shows_no_internal_id(
    support_env: SupportEnv, alice: Headers
) -> None:
    # The helpdesk's agent id ("agent-42") was shown in the thread as the agent's name.
    env = support_env
    _, _, desk = await env.held_case(alice, days=54, subject="Seat", message="Window?")
    await env.helpdesk.configure_webhook(
        url=str(env.client.make_url("/v1/support/webhook")), max_attempts=0, **FAST_WEBHOOKS
    )
    reply = await env.helpdesk.reply(desk["id"], "Done.", agent={"id": "agent-42", "name": " "})
    await eventually(lambda: env.helpdesk.delivered(reply), bool)

    [seen] = await env.cases(alice)
    assert [(m["author"], m["agent"]) for m in seen["messages"]] == [
        ("traveler", None), ("agent", None)]  # fmt: skip
