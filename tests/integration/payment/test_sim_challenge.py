"""The sim gateway's 3-D Secure challenge over sockets: `HttpPaymentGateway` reads the intent's
`requires_action`, the challenge page is a real form, its answer settles the intent by webhook and
sends the browser back to `return_url`; a second answer changes nothing."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import aiohttp
import msgspec
import pytest

from payment import errors
from payment.gateway import HttpPaymentGateway
from payment.model import GatewayIntent
from tests.support.payment_sim import PaymentsSimControl, Receiver

BACK = "https://app.example/trips/ord_x?from=pay"


async def _challenged(gateway: HttpPaymentGateway) -> GatewayIntent:
    payment_id = f"pay_{uuid.uuid4().hex[:24]}"
    return await gateway.create_intent(
        amount=Decimal("612.40"),
        currency="USD",
        card_token="tok_3ds_required",
        metadata={"order_id": "ord_test", "payment_id": payment_id},
        idempotency_key=f"{payment_id}:intent",
        timeout=2,
        return_url=BACK,
    )


async def _answer(url: str, outcome: str) -> aiohttp.ClientResponse:
    async with (
        aiohttp.ClientSession() as browser,
        browser.post(url, data={"outcome": outcome}, allow_redirects=False) as response,
    ):
        await response.read()
        return response


def _event_types(receiver: Receiver) -> list[str]:
    return [msgspec.json.decode(d.body)["type"] for d in receiver.received]


async def test_the_intent_requires_action_and_its_page_asks_to_confirm_the_amount(
    gateway: HttpPaymentGateway,
) -> None:
    intent = await _challenged(gateway)
    assert intent.status == "requires_action"
    assert intent.action_url is not None
    async with aiohttp.ClientSession() as browser, browser.get(intent.action_url) as page:
        html = await page.text()
        assert (page.status, page.content_type) == (200, "text/html")
        # Shown in the merchant's page (a modal iframe): any merchant may frame it.
        assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in page.headers
    assert "Confirm this payment of 612.40 USD with your bank" in html
    assert re.search(r'<form method="post"', html)
    for button in ("Complete", "Fail"):
        assert re.search(rf'<button type="submit" name="outcome" value="\w+"[^>]*>{button}<', html)


@pytest.mark.parametrize(
    ("outcome", "event", "status"),
    [
        ("complete", "payment_intent.succeeded", "succeeded"),
        ("fail", "payment_intent.payment_failed", "failed"),
    ],
)
async def test_an_answer_settles_the_intent_and_sends_the_browser_back(
    gateway: HttpPaymentGateway, receiver: Receiver, outcome: str, event: str, status: str
) -> None:
    intent = await _challenged(gateway)
    assert intent.action_url is not None
    answered = await _answer(intent.action_url, outcome)
    assert answered.status == 303
    assert answered.headers["Location"] == f"{BACK}&payment_intent={intent.id}"
    await receiver.wait_for(1)
    assert _event_types(receiver) == [event]
    now = await gateway.get_intent(intent.id, timeout=2)
    assert now.status == status
    if status == "failed":
        assert now.failure_reason == "payment_intent_authentication_failure"


async def test_a_second_answer_changes_nothing(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    intent = await _challenged(gateway)
    assert intent.action_url is not None
    await control.answer_challenge(intent.id, "fail")
    await receiver.wait_for(1)
    again = await _answer(intent.action_url, "complete")  # the browser's back button, then Complete
    assert again.status == 303
    with pytest.raises(aiohttp.ClientResponseError) as refused:
        await control.answer_challenge(intent.id, "complete")
    assert refused.value.status == 409
    assert (await gateway.get_intent(intent.id, timeout=2)).status == "failed"
    assert len(await control.events(intent.id)) == 1


async def test_an_intent_awaiting_its_challenge_is_canceled_and_its_page_says_so(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    intent = await _challenged(gateway)
    assert intent.action_url is not None
    key = f"{intent.payment_id}:cancel"
    canceled = await gateway.cancel_intent(intent.id, idempotency_key=key, timeout=2)
    # Never to charge: `failed` to us, with the gateway's word for why.
    assert (canceled.id, canceled.status, canceled.failure_reason) == (
        intent.id,
        "failed",
        "canceled",
    )
    assert canceled.action_url is None
    [delivery] = await receiver.wait_for(1)
    event = msgspec.json.decode(delivery.body)
    assert (event["type"], event["data"]["object"]["status"]) == (
        "payment_intent.canceled",
        "canceled",
    )
    assert event["data"]["object"]["cancellation_reason"] == "abandoned"
    # The bank's page, opened again (a tab left open), confirms nothing any more.
    async with aiohttp.ClientSession() as browser, browser.get(intent.action_url) as page:
        assert "This payment was canceled" in await page.text()
    answered = await _answer(intent.action_url, "complete")
    assert answered.status == 303
    again = await gateway.get_intent(intent.id, timeout=2)
    assert (again.status, again.amount_received) == ("failed", Decimal("0.00"))
    # The same key replays the cancel (a retry after a lost answer): no second event.
    replayed = await gateway.cancel_intent(intent.id, idempotency_key=key, timeout=2)
    assert replayed.status == "failed"
    assert [e["type"] for e in await control.events(intent.id)] == ["payment_intent.canceled"]


async def test_an_intent_whose_challenge_was_completed_cannot_be_canceled(
    gateway: HttpPaymentGateway, receiver: Receiver, control: PaymentsSimControl
) -> None:
    intent = await _challenged(gateway)
    await control.answer_challenge(intent.id, "complete")
    await receiver.wait_for(1)  # charged: payment_intent.succeeded
    with pytest.raises(errors.CancelRefused) as refused:
        await gateway.cancel_intent(intent.id, idempotency_key=f"{intent.id}:cancel", timeout=2)
    assert refused.value.code == "payment_intent_unexpected_state"
    assert (await gateway.get_intent(intent.id, timeout=2)).status == "succeeded"
    assert _event_types(receiver) == ["payment_intent.succeeded"]


async def test_an_unknown_intent_cannot_be_canceled(gateway: HttpPaymentGateway) -> None:
    with pytest.raises(errors.IntentNotFound):
        await gateway.cancel_intent("pi_unknown", idempotency_key=str(uuid.uuid4()), timeout=2)
