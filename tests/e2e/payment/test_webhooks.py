"""The gateway webhook over HTTP: only signed, fresh deliveries count, each event counts once."""

from __future__ import annotations

import logging
import time
from typing import Any

import msgspec
import pytest

from kernel.errors import clipped
from sim.payments import DEV_WEBHOOK_SECRET
from sim.payments.signing import HEADER, signature_header
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

WEBHOOK = "/v1/payments/webhook"


async def processing_payment(pay_env: PayEnv, alice: Headers) -> tuple[dict[str, Any], str]:
    """A held order whose payment (tok_slow) is still processing, and the payment's id.

    It stays processing for a minute: the gateway's own webhook must not land while the test
    runs (at 300 ms it did, on a busy machine, and the test counted a webhook it did not send).
    """
    await pay_env.gateway.set_timing(settle_ms=5, slow_ms=60_000)
    order = await pay_env.held_order(alice)
    response = await pay_env.pay(alice, order["id"], "tok_slow")
    assert response.status == 202
    return order, (await response.json())["id"]


async def succeeded_event(pay_env: PayEnv, order_id: str, payment_id: str) -> bytes:
    """What the gateway would send when the order's intent succeeds (a fresh event id)."""
    [intent] = await pay_env.gateway.intents(order_id)
    event = {
        "id": f"evt_forged_{payment_id}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": {**intent, "status": "succeeded", "amount_received": intent["amount"]}},
    }
    return msgspec.json.encode(event)


async def post_webhook(pay_env: PayEnv, body: bytes, headers: dict[str, str]) -> int:
    response = await pay_env.client.post(
        WEBHOOK, data=body, headers={"Content-Type": "application/json", **headers}
    )
    if response.status != 200:
        problem = await response.json()
        assert response.content_type == "application/problem+json", problem
        assert problem["status"] == 400
    return response.status


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong secret", "mismatch"),
        ("stale", "stale"),
        ("future", "future"),
        ("missing", "missing"),
        ("malformed", "malformed"),
        ("altered body", "mismatch"),
    ],
)
async def test_a_forged_or_stale_webhook_is_400_and_changes_nothing(
    pay_env: PayEnv, alice: Headers, case: str, reason: str
) -> None:
    order, payment_id = await processing_payment(pay_env, alice)
    body = await succeeded_event(pay_env, order["id"], payment_id)
    now = int(time.time())
    signed = {
        "wrong secret": signature_header(["whsec_attacker"], now, body),
        "stale": signature_header([DEV_WEBHOOK_SECRET], now - 301, body),
        "future": signature_header([DEV_WEBHOOK_SECRET], now + 301, body),
        "malformed": f"v1={signature_header([DEV_WEBHOOK_SECRET], now, body)}",
        "altered body": signature_header([DEV_WEBHOOK_SECRET], now, body.replace(b"}", b" }")),
    }
    headers = {} if case == "missing" else {HEADER: signed[case]}

    assert await post_webhook(pay_env, body, headers) == 400

    after = await pay_env.order(alice, order["id"])
    assert (after["status"], after["payment_status"]) == ("held", "processing")
    [payment] = await pay_env.payments(order["id"])
    assert payment["status"] == "processing"
    assert (
        await pay_env.pool.fetchval(
            "SELECT count(*) FROM webhook_events WHERE payment_id = $1", payment_id
        )
        == 0
    )
    metrics = await (await pay_env.client.get("/metrics")).text()
    assert f'skyfare_webhook_verifications_failed_total{{reason="{reason}"}}' in metrics

    # The very same event, signed as the gateway signs, is accepted: the signature made the
    # difference.
    good = {HEADER: signature_header([DEV_WEBHOOK_SECRET], now, body)}
    assert await post_webhook(pay_env, body, good) == 200
    confirmed = await pay_env.settled(alice, order["id"])
    assert confirmed["status"] == "confirmed"


async def test_a_webhook_delivered_three_times_is_applied_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    await pay_env.pay(alice, order["id"])
    confirmed = await pay_env.settled(alice, order["id"])
    [event] = [
        e
        for e in await pay_env.gateway.events()
        if e["data"]["object"]["metadata"].get("order_id") == order["id"]
    ]

    await pay_env.gateway.redeliver(event["id"])
    await pay_env.gateway.redeliver(event["id"])
    deliveries = await pay_env.gateway.settled(count=1)
    mine = [d for d in deliveries if d["event_id"] == event["id"]]
    assert len(mine) == 3
    assert all(d["state"] == "delivered" and d["attempts"][-1]["status"] == 200 for d in mine)

    assert await pay_env.order(alice, order["id"]) == confirmed
    assert await pay_env.events(order["id"]) == ["order.created", "order.held", "order.confirmed"]
    captured = await pay_env.pool.fetchval(
        "SELECT count(*) FROM order_history WHERE order_id = $1 AND to_payment_status = 'paid'"
        " AND from_payment_status = 'processing'",
        order["id"],
    )
    assert captured == 1
    assert (
        await pay_env.pool.fetchval(
            "SELECT count(*) FROM webhook_events WHERE id = $1", event["id"]
        )
        == 1
    )


async def test_duplicate_deliveries_arriving_together_apply_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    await pay_env.gateway.configure_webhook(duplicate_rate=1.0)
    order = await pay_env.held_order(alice)
    await pay_env.pay(alice, order["id"])
    confirmed = await pay_env.settled(alice, order["id"])
    deliveries = await pay_env.gateway.settled(count=2)
    assert len(deliveries) == 2
    assert deliveries[0]["event_id"] == deliveries[1]["event_id"]
    assert confirmed["status"] == "confirmed"
    assert (await pay_env.events(order["id"])).count("order.confirmed") == 1


async def test_an_event_of_an_unknown_payment_is_acknowledged_and_ignored(
    pay_env: PayEnv,
) -> None:
    body = msgspec.json.encode(
        {
            "id": "evt_not_ours",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_elsewhere", "metadata": {}}},
        }
    )
    headers = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}
    assert await post_webhook(pay_env, body, headers) == 200


async def test_an_unknown_events_long_id_is_logged_clipped(
    pay_env: PayEnv, caplog: pytest.LogCaptureFixture
) -> None:
    long_id = "evt_" + "x" * 100_000
    body = msgspec.json.encode(
        {
            "id": long_id,
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_elsewhere", "metadata": {}}},
        }
    )
    headers = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}

    with caplog.at_level(logging.WARNING, logger="payment.receiver"):
        assert await post_webhook(pay_env, body, headers) == 200

    [line] = [r.getMessage() for r in caplog.records if "names no payment" in r.getMessage()]
    assert f"webhook {clipped(long_id)} (payment_intent.succeeded)" in line
    assert len(line) < 200


async def test_a_signed_body_that_is_not_an_event_is_a_bad_request(pay_env: PayEnv) -> None:
    body = b'{"hello": "world"}'
    headers = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}
    assert await post_webhook(pay_env, body, headers) == 400


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Do Not Honor", "Do Not Honor"),  # not Stripe's shape: another gateway's words
        ("N7", "N7"),  # an issuer's network code
        ("do_not_honor\u0000\r\nforged log line", "do_not_honorforged log line"),  # NUL: no 500
    ],
    ids=["words", "network code", "control characters"],
)
async def test_a_decline_code_of_any_shape_reaches_the_order_and_its_history(
    pay_env: PayEnv, alice: Headers, sent: str, kept: str
) -> None:
    order, payment_id = await processing_payment(pay_env, alice)
    [intent] = await pay_env.gateway.intents(order["id"])
    error = {"type": "card_error", "code": "card_declined", "decline_code": sent}
    body = msgspec.json.encode(
        {
            "id": f"evt_declined_{payment_id}",
            "type": "payment_intent.payment_failed",
            "data": {"object": {**intent, "last_payment_error": error}},
        }
    )
    headers = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}

    assert await post_webhook(pay_env, body, headers) == 200

    failed = await pay_env.order(alice, order["id"])
    assert (failed["payment_status"], failed["payment_decline_code"]) == ("failed", kept)
    history = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    [step] = [s for s in (await history.json())["data"] if s["to_payment_status"] == "failed"]
    assert (step["code"], step["decline_code"]) == ("payment_failed", kept)


async def test_a_signed_event_repeating_a_member_name_is_refused_naming_it(
    pay_env: PayEnv, alice: Headers
) -> None:
    # Two parsers may read `{"type": A, "type": B}` as A and as B (msgspec keeps the last): a
    # signed body is refused rather than read one way here and another in the gateway's logs.
    order, payment_id = await processing_payment(pay_env, alice)
    event = msgspec.json.decode(await succeeded_event(pay_env, order["id"], payment_id))
    failed = msgspec.json.encode({**event, "type": "payment_intent.payment_failed"})
    body = failed.replace(b'"type":', b'"type":"payment_intent.succeeded","type":', 1)
    signed = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}

    response = await pay_env.client.post(
        WEBHOOK, data=body, headers={"Content-Type": "application/json", **signed}
    )

    problem = await response.json()
    assert response.status == 422, problem
    assert problem["errors"] == [{"field": "type", "message": "given more than once"}]
    after = await pay_env.order(alice, order["id"])
    assert (after["status"], after["payment_status"]) == ("held", "processing")
    assert (
        await pay_env.pool.fetchval(
            "SELECT count(*) FROM webhook_events WHERE payment_id = $1", payment_id
        )
        == 0
    )


async def test_a_signed_event_starting_with_a_byte_order_mark_is_refused_saying_so(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, payment_id = await processing_payment(pay_env, alice)
    body = b"\xef\xbb\xbf" + await succeeded_event(pay_env, order["id"], payment_id)
    signed = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}

    response = await pay_env.client.post(
        WEBHOOK, data=body, headers={"Content-Type": "application/json", **signed}
    )

    problem = await response.json()
    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["body"]
    assert "byte order mark" in problem["errors"][0]["message"]
    after = await pay_env.order(alice, order["id"])
    assert (after["status"], after["payment_status"]) == ("held", "processing")


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("intent", "data.object.id"),
        ("payment", "data.object.metadata.payment_id"),
        ("change", "data.object.metadata.change_id"),  # a flight change's charge, found by it
    ],
)
async def test_a_signed_event_whose_ids_hold_a_nul_character_is_refused_naming_it(
    pay_env: PayEnv, alice: Headers, where: str, field: str
) -> None:
    # The payment is looked up by these ids, and PostgreSQL text cannot hold a NUL: a 500.
    order, payment_id = await processing_payment(pay_env, alice)
    event = msgspec.json.decode(await succeeded_event(pay_env, order["id"], payment_id))
    intent = event["data"]["object"]
    if where == "intent":
        intent["id"] += "\u0000"
    elif where == "payment":
        intent["metadata"]["payment_id"] += "\u0000"
    else:
        intent["metadata"] = {"order_id": order["id"], "change_id": "och_1\u0000"}
    body = msgspec.json.encode(event)
    signed = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}

    response = await pay_env.client.post(
        WEBHOOK, data=body, headers={"Content-Type": "application/json", **signed}
    )

    problem = await response.json()
    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == [field]
    after = await pay_env.order(alice, order["id"])
    assert (after["status"], after["payment_status"]) == ("held", "processing")
