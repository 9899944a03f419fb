"""`HttpPaymentGateway` against the sim gateway over sockets: charges, refunds, idempotency keys,
the error tree, and webhooks that are signed, retried, duplicated and reordered."""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal

import msgspec
import pytest
from aiohttp import web

from payment import errors
from payment.gateway import HttpPaymentGateway
from payment.webhooks import HEADER, verify
from sim.payments import DEV_WEBHOOK_SECRET, PaymentsConfig, Timing, WebhookConfig
from sim.server import create_sim_app
from tests.support.fake_server import Faults
from tests.support.payment_sim import PaymentsSimControl, Receiver, eventually, payments_control

AMOUNT = Decimal("612.40")


async def charge(
    gateway: HttpPaymentGateway, token: str = "tok_visa", *, key: str | None = None
) -> str:
    payment_id = f"pay_{uuid.uuid4().hex[:24]}"
    intent = await gateway.create_intent(
        amount=AMOUNT,
        currency="USD",
        card_token=token,
        metadata={"order_id": "ord_test", "payment_id": payment_id},
        idempotency_key=key or f"{payment_id}:intent",
        timeout=2,
    )
    assert intent.status == "processing"
    assert intent.payment_id == payment_id
    return intent.id


def event_of(body: bytes) -> dict[str, object]:
    event: dict[str, object] = msgspec.json.decode(body)
    return event


async def test_a_visa_charge_is_reported_by_a_signed_succeeded_webhook(
    gateway: HttpPaymentGateway, receiver: Receiver
) -> None:
    intent_id = await charge(gateway)
    [delivery] = await receiver.wait_for(1)
    verify(delivery.body, delivery.headers[HEADER], [DEV_WEBHOOK_SECRET], now=time.time())
    event = msgspec.json.decode(delivery.body)
    assert event["type"] == "payment_intent.succeeded"
    assert event["data"]["object"]["id"] == intent_id
    assert event["data"]["object"]["amount_received"] == "612.40"
    assert (await gateway.get_intent(intent_id, timeout=2)).status == "succeeded"


@pytest.mark.parametrize(
    ("token", "reason"),
    [("tok_declined", "generic_decline"), ("tok_fail_capture", "capture_failed")],
)
async def test_a_card_that_cannot_be_charged_is_reported_as_payment_failed(
    gateway: HttpPaymentGateway, receiver: Receiver, token: str, reason: str
) -> None:
    intent_id = await charge(gateway, token)
    [delivery] = await receiver.wait_for(1)
    assert event_of(delivery.body)["type"] == "payment_intent.payment_failed"
    intent = await gateway.get_intent(intent_id, timeout=2)
    assert (intent.status, intent.failure_reason) == ("failed", reason)


async def test_tok_slow_answers_only_after_its_delay(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    # Longer than the fixture's 150 ms, which a busy machine could spend between the charge and
    # the read: the order of what is seen, not a stopwatch, shows the delay.
    await control.set_timing(slow_ms=1000)
    intent_id = await charge(gateway, "tok_slow")

    assert (await gateway.get_intent(intent_id, timeout=2)).status == "processing"
    assert receiver.received == []  # no webhook before the read saw it processing
    [delivery] = await receiver.wait_for(1)
    assert event_of(delivery.body)["type"] == "payment_intent.succeeded"
    assert (await gateway.get_intent(intent_id, timeout=2)).status == "succeeded"


async def test_an_unknown_card_token_is_rejected_at_once(gateway: HttpPaymentGateway) -> None:
    with pytest.raises(errors.CardRejected) as caught:
        await charge(gateway, "tok_unknown")
    assert caught.value.code == "invalid_card_token"


async def test_the_same_key_and_body_replay_the_first_intent_and_charge_once(
    gateway: HttpPaymentGateway, control: PaymentsSimControl
) -> None:
    first = await charge(gateway, key="order-1-attempt")
    intent = await gateway.create_intent(
        amount=AMOUNT,
        currency="USD",
        card_token="tok_visa",
        metadata={"order_id": "ord_test", "payment_id": "pay_other"},
        idempotency_key="another-key",
        timeout=2,
    )
    assert intent.id != first
    replay = await gateway.create_intent(
        amount=AMOUNT,
        currency="USD",
        card_token="tok_visa",
        metadata={"order_id": "ord_test", "payment_id": "pay_other"},
        idempotency_key="another-key",
        timeout=2,
    )
    assert replay.id == intent.id
    assert len(await control.intents()) == 2


async def test_the_same_key_with_another_body_is_refused(gateway: HttpPaymentGateway) -> None:
    await charge(gateway, key="reused")
    with pytest.raises(errors.IdempotencyKeyReused):
        await gateway.create_intent(
            amount=Decimal("1.00"),
            currency="USD",
            card_token="tok_visa",
            metadata={},
            idempotency_key="reused",
            timeout=2,
        )


async def test_a_wrong_api_key_is_a_configuration_error(control: PaymentsSimControl) -> None:
    gateway = HttpPaymentGateway(control.gateway_url, "sk_wrong")
    try:
        with pytest.raises(errors.GatewayAuthFailed):
            await gateway.get_intent("pi_x", timeout=2)
    finally:
        await gateway.close()


async def test_an_unknown_intent_is_not_found(gateway: HttpPaymentGateway) -> None:
    with pytest.raises(errors.IntentNotFound):
        await gateway.get_intent("pi_missing", timeout=2)


async def test_a_refund_is_idempotent_by_key_and_reported_by_webhook(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    intent_id = await charge(gateway)
    await eventually(
        lambda: gateway.get_intent(intent_id, timeout=2), lambda i: i.status == "succeeded"
    )
    first = await gateway.refund(intent_id=intent_id, amount=None, idempotency_key="r1", timeout=2)
    again = await gateway.refund(intent_id=intent_id, amount=None, idempotency_key="r1", timeout=2)
    assert (first.id, first.amount, first.accepted) == (again.id, AMOUNT, True)
    deliveries = await receiver.wait_for(2)
    assert event_of(deliveries[1].body)["type"] == "charge.refunded"
    [intent] = await control.intents()
    assert intent["amount_refunded"] == "612.40"
    assert len(intent["refunds"]) == 1


async def test_refunding_more_than_was_captured_is_rejected(
    gateway: HttpPaymentGateway,
) -> None:
    intent_id = await charge(gateway)
    await eventually(
        lambda: gateway.get_intent(intent_id, timeout=2), lambda i: i.status == "succeeded"
    )
    with pytest.raises(errors.RefundRejected) as caught:
        await gateway.refund(
            intent_id=intent_id, amount=Decimal("612.41"), idempotency_key="r", timeout=2
        )
    assert caught.value.code == "amount_too_large"


async def test_an_uncaptured_intent_cannot_be_refunded(gateway: HttpPaymentGateway) -> None:
    intent_id = await charge(gateway, "tok_slow")
    with pytest.raises(errors.RefundRejected) as caught:
        await gateway.refund(intent_id=intent_id, amount=None, idempotency_key="r", timeout=2)
    assert caught.value.code == "charge_not_captured"


async def test_a_webhook_is_retried_until_the_receiver_answers_2xx(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    receiver.answers = [500, 503]
    await charge(gateway)
    deliveries = await receiver.wait_for(3)
    assert len({event_of(d.body)["id"] for d in deliveries}) == 1
    [delivery] = await control.settled(count=1)
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
    assert delivery["state"] == "delivered"


async def test_webhooks_are_retried_while_the_receiver_is_down(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    await control.configure_webhook(url="http://127.0.0.1:9/unreachable")
    await charge(gateway)
    await eventually(control.deliveries, lambda ds: bool(ds) and len(ds[0]["attempts"]) >= 2)
    await control.configure_webhook(url=receiver.url)  # the retries follow the new URL
    [delivery] = await control.settled(count=1)
    assert delivery["attempts"][0]["status"] is None
    assert delivery["attempts"][-1]["status"] == 200


async def test_with_a_duplicate_rate_of_one_every_event_arrives_twice(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    await control.configure_webhook(duplicate_rate=1.0)
    await charge(gateway)
    deliveries = await receiver.wait_for(2)
    assert event_of(deliveries[0].body)["id"] == event_of(deliveries[1].body)["id"]


async def test_an_event_can_be_redelivered_on_demand(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    await charge(gateway)
    [first] = await receiver.wait_for(1)
    event_id = str(event_of(first.body)["id"])
    await control.redeliver(event_id)
    await control.redeliver(event_id)
    deliveries = await receiver.wait_for(3)
    assert {event_of(d.body)["id"] for d in deliveries} == {event_id}


async def test_with_reordering_events_overtake_each_other(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    await control.configure_webhook(reorder_ms=200)
    intents = [await charge(gateway) for _ in range(8)]
    deliveries = await receiver.wait_for(8)
    arrived = [event_of(d.body)["data"]["object"]["id"] for d in deliveries]  # type: ignore[index]
    assert sorted(arrived) == sorted(intents)
    assert arrived != intents  # 8! orders: in order by chance once in 40320 seeds


async def test_a_gateway_rotating_its_secret_signs_with_both(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    await control.configure_webhook(secrets=["whsec_old", "whsec_new"])
    await charge(gateway)
    [delivery] = await receiver.wait_for(1)
    assert delivery.headers[HEADER].count("v1=") == 2
    verify(delivery.body, delivery.headers[HEADER], ["whsec_new"], now=time.time())


async def test_an_unreachable_gateway_is_unavailable_after_bounded_retries() -> None:
    gateway = HttpPaymentGateway("http://127.0.0.1:9", "sk", attempts=2, backoff_s=0.01)
    try:
        with pytest.raises(errors.GatewayUnavailable):
            await gateway.get_intent("pi_x", timeout=2)
    finally:
        await gateway.close()


async def test_a_gateway_that_does_not_answer_times_out_within_the_callers_timeout(
    fake_faults: Faults,
) -> None:
    release = asyncio.Event()
    asked: list[str] = []

    async def hang(request: web.Request) -> web.Response:
        asked.append(request.path)
        await release.wait()  # set in the finally below: until then, never an answer
        return web.Response()

    app = web.Application()
    app.router.add_get("/v1/payment_intents/{id}", hang)
    runner = web.AppRunner(fake_faults.watch(app), shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    gateway = HttpPaymentGateway(f"http://127.0.0.1:{runner.addresses[0][1]}", "sk")
    try:
        # The budget left when the one attempt is sent (0.20 s, less on a busy machine).
        no_answer = r"^GET /v1/payment_intents/pi_x: no answer in 0\.\d\ds$"
        with pytest.raises(errors.GatewayTimeout, match=no_answer):
            await gateway.get_intent("pi_x", timeout=0.2)
        assert asked == ["/v1/payment_intents/pi_x"]  # asked once: no retry past the deadline
    finally:
        release.set()
        await gateway.close()
        await runner.cleanup()


async def test_stopping_the_sim_cancels_deliveries_still_retrying(fake_faults: Faults) -> None:
    # A receiver that never answers 2xx must not hold the sim's shutdown. The next retry is an
    # hour away (the backoff's cap raised too: by default it cuts every pause to 30 s), so a
    # shutdown that waited for it would hang and pytest-timeout fail the test.
    an_hour_ms = 3_600_000
    webhook = WebhookConfig(
        url="http://127.0.0.1:9/unreachable", retry_base_ms=an_hour_ms, retry_max_ms=an_hour_ms
    )
    config = PaymentsConfig(webhook=webhook, timing=Timing(settle_ms=0))
    runner = web.AppRunner(fake_faults.watch(create_sim_app(payments=config)), shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    sim_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with payments_control(sim_url) as control:
            gateway = HttpPaymentGateway(control.gateway_url, control.api_key)
            await charge(gateway)
            await gateway.close()
            await eventually(control.deliveries, lambda ds: bool(ds) and bool(ds[0]["attempts"]))
    finally:
        await runner.cleanup()  # returns: the delivery waiting for its retry was cancelled
