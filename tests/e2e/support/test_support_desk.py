"""A traveler's question to an agent's answer, and agents' booking modifications, over real HTTP:
the app, the helpdesk sim's signed webhooks, the outbox relay and the notification worker."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from aiohttp import ClientResponse

from kernel.errors import clipped
from sim.payments.signing import signature_header
from skyfare.settings_model import DEV_HELPDESK_WEBHOOK_SECRET
from tests.e2e.support.conftest import SupportEnv
from tests.support.booking import Headers
from tests.support.payment_sim import eventually


async def _paid_order(env: SupportEnv, alice: Headers, days: int) -> dict[str, Any]:
    order = await env.pay.held_order(alice, days=days)
    paid = await env.pay.pay(alice, order["id"])
    assert paid.status == 202, await paid.text()
    confirmed = await env.pay.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    return confirmed


async def _action_requested(
    env: SupportEnv, alice: Headers, *, days: int, event_id: str, agent: str, action: str
) -> tuple[dict[str, Any], bytes]:
    """A held order with a case, and a helpdesk event asking `action` (JSON text) of it."""
    order = await env.pay.held_order(alice, days=days)
    case = await env.open_case(alice, order_id=order["id"], subject="Hi", message="Hello")
    desk = await env.helpdesk.case(case["id"])
    body = (
        f'{{"id":"{event_id}","type":"case.action_requested","created":0,'
        f'"case_id":"{desk["id"]}","external_id":"{case["id"]}",'
        f'"agent":{{"id":"{agent}","name":"A"}},"action":{action}}}'
    ).encode()
    return order, body


async def _webhook(env: SupportEnv, body: bytes, *, secret: str) -> ClientResponse:
    signed = signature_header([secret], int(time.time()), body)
    return await env.client.post(
        "/v1/support/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Skyfare-Signature": signed},
    )


async def test_a_traveler_opens_a_case_an_agent_replies_and_the_mail_arrives(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=41)
    case = await env.open_case(
        alice, order_id=order["id"], subject="Extra bag", message="Can I add a second bag?"
    )
    assert (case["status"], case["order_id"]) == ("open", order["id"])
    assert [m["author"] for m in case["messages"]] == ["traveler"]

    # The agent sees the booking's context, and nothing of cards or documents.
    desk = await env.helpdesk.case(case["id"])
    assert desk["context"]["booking_reference"] == order["booking_reference"]
    assert desk["context"]["passengers"][0]["family_name"] == "Lovelace"
    assert set(desk["context"]) == {
        "order_id", "booking_reference", "status", "payment_status", "total_amount",
        "total_currency", "flights", "passengers",
    }  # fmt: skip
    assert set(desk["context"]["passengers"][0]) == {"given_name", "family_name", "type"}
    # The flight as the order prints it ("BA117"; it read "BABA117").
    segment = order["slices"][0]["segments"][0]
    assert desk["context"]["flights"][0]["flight"] == segment["flight_number"]

    event_id = await env.helpdesk.reply(desk["id"], "Yes: 35 EUR at the airport.")
    answered = await eventually(lambda: env.cases(alice), lambda cs: cs[0]["status"] == "answered")
    assert [m["author"] for m in answered[0]["messages"]] == ["traveler", "agent"]
    assert answered[0]["messages"][1]["agent"] == "Grace at Skyfare"
    [mail] = await env.mails_about(order["booking_reference"], "35 EUR at the airport")
    assert mail["to"] == ["ada@example.com"] or "ada@example.com" in str(mail["to"])

    # The same event delivered again changes nothing: one agent message, one mail.
    await env.helpdesk.redeliver(event_id)
    await eventually(
        lambda: env.helpdesk.deliveries(event_id),
        lambda ds: len(ds) == 2 and all(d["state"] == "delivered" for d in ds),
    )
    [case_now] = await env.cases(alice)
    assert len(case_now["messages"]) == 2
    assert len(await env.mails_about(order["booking_reference"], "35 EUR")) == 1


async def test_an_agent_cancels_a_paid_order_it_is_refunded_and_the_history_names_the_agent(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await _paid_order(env, alice, days=43)
    case = await env.open_case(alice, order_id=order["id"], subject="Cancel", message="Please.")
    desk = await env.helpdesk.case(case["id"])
    event_id = await env.helpdesk.act(desk["id"], type="cancel")

    done = await env.pay.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert done["status"] == "cancelled"
    history = await env.history(order["id"])
    agent_rows = [row for row in history if row["actor"] == "helpdesk:agent-7"]
    assert [(r["to_status"], r["to_payment_status"]) for r in agent_rows] == [
        ("cancelled", "paid"),
        ("cancelled", "refunded"),
    ]
    # Synced back: the agent's case shows the booking as it is now (cancelled, refunded).
    synced = await eventually(
        lambda: env.helpdesk.case(case["id"]),
        lambda c: (
            {"order.cancelled", "payment.refunded"} <= {u["type"] for u in c["booking_updates"]}
        ),
    )
    assert synced["context"]["status"] == "cancelled"

    # A redelivery of the action changes nothing.
    await env.helpdesk.redeliver(event_id)
    await eventually(
        lambda: env.helpdesk.deliveries(event_id),
        lambda ds: len(ds) == 2 and all(d["state"] == "delivered" for d in ds),
    )
    assert len(await env.history(order["id"])) == len(history)


async def test_an_agent_corrects_a_name_spelling_within_the_limit_and_resends_the_itinerary(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=45)
    case = await env.open_case(alice, order_id=order["id"], subject="Typo", message="Lovelase")
    desk = await env.helpdesk.case(case["id"])

    too_far = await env.helpdesk.act(
        desk["id"], type="correct_name", passenger_index=0, given_name="Ada",
        family_name="Byron-King",
    )  # fmt: skip
    await eventually(lambda: env.helpdesk.delivered(too_far), bool)
    fixed = await env.helpdesk.act(
        desk["id"], type="correct_name", passenger_index=0, given_name="Ada",
        family_name="Lovelase",
    )  # fmt: skip
    await eventually(lambda: env.helpdesk.delivered(fixed), bool)
    now = await env.pay.order(alice, order["id"])
    assert now["passengers"][0]["family_name"] == "Lovelase"  # not Byron-King: 9 changes

    resent = await env.helpdesk.act(desk["id"], type="resend_itinerary")
    await eventually(lambda: env.helpdesk.delivered(resent), bool)
    await env.mails_about(order["booking_reference"], "Your itinerary")
    reasons = [(r["reason"], r["actor"]) for r in await env.history(order["id"])]
    assert ("itinerary resent", "helpdesk:agent-7") in reasons
    assert any("corrected" in reason and actor == "helpdesk:agent-7" for reason, actor in reasons)


async def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order, body = await _action_requested(
        env, alice, days=47, event_id="hde_forged", agent="mallory", action='{"type":"cancel"}'
    )
    response = await _webhook(env, body, secret="not-the-secret")
    assert response.status == 400, await response.text()
    unsigned = await env.client.post("/v1/support/webhook", data=body)
    assert unsigned.status == 400
    assert (await env.pay.order(alice, order["id"]))["status"] == "held"
    metrics = await (await env.client.get("/metrics")).text()
    assert 'skyfare_support_webhooks_total{outcome="rejected"}' in metrics


async def test_anonymous_cases_need_the_right_pair_and_cannot_probe_references(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=49)
    reference = order["booking_reference"]
    opened = await env.client.post(
        "/v1/support/cases",
        json={"booking_reference": reference, "family_name": "lovelace", "subject": "Q",
              "message": "Which terminal?"},
    )  # fmt: skip
    assert opened.status == 201, await opened.text()
    assert (await opened.json())["order_id"] == order["id"]

    async def attempt(ref: str, family: str) -> tuple[int, dict[str, Any]]:
        response = await env.client.post(
            "/v1/support/cases",
            json={"booking_reference": ref, "family_name": family, "subject": "Q",
                  "message": "?"},
        )  # fmt: skip
        body: dict[str, Any] = await response.json()
        return response.status, body

    wrong_name = await attempt(reference, "Babbage")
    missing = await attempt("ZZZZZ9" if reference != "ZZZZZ9" else "ZZZZZ8", "Lovelace")
    assert wrong_name[0] == missing[0] == 404
    assert {k: v for k, v in wrong_name[1].items() if k not in ("instance", "request_id")} == {
        k: v for k, v in missing[1].items() if k not in ("instance", "request_id")
    }
    # Burst of 3 per address in this suite: the fourth is limited.
    limited = await attempt(reference, "Lovelace")
    assert limited[0] == 429
    # The anonymous case is nobody's: it is not in the traveler's list.
    assert await env.cases(alice) == []


async def test_a_case_naming_its_booking_both_ways_is_refused_naming_the_extra_field(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=53)
    words = {"subject": "Q", "message": "Which terminal?"}
    pair = {"booking_reference": order["booking_reference"], "family_name": "Lovelace"}

    anonymous = await env.client.post(
        "/v1/support/cases", json={**words, **pair, "order_id": order["id"]}
    )
    signed_in = await env.client.post(
        "/v1/support/cases",
        json={**words, "order_id": order["id"], "family_name": "Lovelace"},
        headers=alice,
    )

    assert (anonymous.status, signed_in.status) == (422, 422)
    assert [e["field"] for e in (await anonymous.json())["errors"]] == ["order_id"]
    assert [e["field"] for e in (await signed_in.json())["errors"]] == ["family_name"]
    assert await env.cases(alice) == []


async def test_a_case_about_another_travelers_order_is_not_found(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=51)
    bob = await env.pay.booking.token("bob-support")
    response = await env.client.post(
        "/v1/support/cases",
        json={"order_id": order["id"], "subject": "Mine?", "message": "?"},
        headers=bob,
    )
    assert response.status == 404
    bad = await env.client.post("/v1/support/cases", json={"subject": ""}, headers=bob)
    assert bad.status == 422
    fields = {e["field"] for e in (await bad.json())["errors"]}
    assert fields == {"subject", "message", "order_id"}


async def test_a_signed_event_repeating_a_member_name_is_refused_and_changes_nothing(
    support_env: SupportEnv, alice: Headers
) -> None:
    # Read last-one-wins, `{"type": "resend_itinerary", "type": "cancel"}` would cancel a trip
    # whose event the helpdesk logged as a resend.
    env = support_env
    twice = '{"type":"resend_itinerary","type":"cancel"}'
    order, body = await _action_requested(
        env, alice, days=49, event_id="hde_twice", agent="agent-7", action=twice
    )

    response = await _webhook(env, body, secret=DEV_HELPDESK_WEBHOOK_SECRET)

    problem = await response.json()
    assert response.status == 422, problem
    assert problem["errors"] == [{"field": "action.type", "message": "given more than once"}]
    assert (await env.pay.order(alice, order["id"]))["status"] == "held"


async def test_a_signed_event_with_a_nul_character_is_refused_naming_it_not_a_500(
    support_env: SupportEnv, alice: Headers
) -> None:
    # PostgreSQL text cannot hold a NUL: looking the case up by such an id was a 500.
    env = support_env
    order, body = await _action_requested(
        env, alice, days=50, event_id="hde_nul", agent="agent-7", action='{"type":"cancel"}'
    )
    body = body.replace(b'"external_id":"cas_', b'"external_id":"\\u0000cas_', 1)

    response = await _webhook(env, body, secret=DEV_HELPDESK_WEBHOOK_SECRET)

    problem = await response.json()
    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["external_id"]
    assert (await env.pay.order(alice, order["id"]))["status"] == "held"


async def test_an_event_naming_no_case_is_ignored_its_long_id_logged_clipped(
    support_env: SupportEnv, caplog: pytest.LogCaptureFixture
) -> None:
    long_id = "hde_" + "x" * 100_000
    body = (
        f'{{"id":"{long_id}","type":"case.replied","created":0,"case_id":"hd_nobody",'
        f'"external_id":"case_nobody","agent":{{"id":"a1","name":"A"}}}}'
    ).encode()

    with caplog.at_level(logging.WARNING, logger="support.webhook"):
        response = await _webhook(support_env, body, secret=DEV_HELPDESK_WEBHOOK_SECRET)

    assert response.status == 200, await response.text()
    [line] = [r.getMessage() for r in caplog.records if "names no case" in r.getMessage()]
    assert line == f"helpdesk event {clipped(long_id)} names no case of ours"
