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
