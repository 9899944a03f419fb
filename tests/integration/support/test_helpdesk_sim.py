"""The helpdesk sim over sockets: its ticketing API through our client (`HttpHelpdesk`), and its
webhooks as a receiver sees them: signed so that `payment.webhooks.verify` accepts them, and
retried until a 2xx."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import msgspec
import pytest

from payment.webhooks import HEADER, verify
from sim.helpdesk import DEV_API_KEY, DEV_WEBHOOK_SECRET
from sim.server import create_sim_app
from support.helpdesk import HelpdeskUnavailable, HttpHelpdesk
from tests.support.fake_server import serve
from tests.support.helpdesk import HelpdeskControl
from tests.support.payment_sim import running_receiver

CONTEXT = {"booking_reference": "K7Q2MZ", "status": "held"}


@pytest.fixture
async def sim_url() -> AsyncIterator[str]:
    async with serve(create_sim_app()) as url:
        yield url


@pytest.fixture
async def control(sim_url: str) -> AsyncIterator[HelpdeskControl]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield HelpdeskControl(sim_url, session)


@pytest.fixture
async def helpdesk(sim_url: str) -> AsyncIterator[HttpHelpdesk]:
    client = HttpHelpdesk(f"{sim_url}/helpdesk", DEV_API_KEY, timeout_s=5)
    yield client
    await client.close()


async def _open(helpdesk: HttpHelpdesk, external_id: str = "cas_1") -> str:
    return await helpdesk.open_case(
        external_id, "Extra bag", "Can I?", requester={"name": "Ada"}, context=CONTEXT
    )


async def test_a_case_opened_twice_with_one_external_id_is_one_case(
    helpdesk: HttpHelpdesk, control: HelpdeskControl
) -> None:
    first = await _open(helpdesk)
    again = await _open(helpdesk)

    assert first == again
    [case] = await control.cases("cas_1")
    assert (case["id"], case["status"], case["context"]) == (first, "new", CONTEXT)


async def test_a_wrong_api_key_is_refused(sim_url: str) -> None:
    client = HttpHelpdesk(f"{sim_url}/helpdesk", "hd_wrong", timeout_s=5)
    try:
        with pytest.raises(HelpdeskUnavailable, match="401"):
            await _open(client)
    finally:
        await client.close()


async def test_booking_updates_reach_the_cases_of_their_booking_once_per_event(
    helpdesk: HttpHelpdesk, control: HelpdeskControl
) -> None:
    await _open(helpdesk)
    update = {"id": "evt-1", "type": "order.cancelled", "status": "cancelled"}
    await helpdesk.booking_update("K7Q2MZ", update)
    await helpdesk.booking_update("K7Q2MZ", update)  # redelivered

    [case] = await control.cases("cas_1")
    assert case["booking_updates"] == [update]
    assert case["context"]["status"] == "cancelled"


async def test_an_agent_reply_is_delivered_signed_and_retried_until_accepted(
    helpdesk: HttpHelpdesk, control: HelpdeskControl
) -> None:
    case_id = await _open(helpdesk)
    async with running_receiver() as receiver:
        receiver.answers = [503, 500]  # two failures, then 200
        await control.configure_webhook(url=receiver.url, retry_base_ms=5, retry_max_ms=20)
        event_id = await control.reply(case_id, "Yes, 35 EUR.")
        received = await receiver.wait_for(3)

    assert len({r.body for r in received}) == 1  # the same event each time
    for delivery in received:
        verify(delivery.body, delivery.headers[HEADER], [DEV_WEBHOOK_SECRET], now=time.time())
    event = msgspec.json.decode(received[-1].body)
    assert (event["id"], event["type"], event["case_id"]) == (event_id, "case.replied", case_id)
    assert event["message"]["body"] == "Yes, 35 EUR."
    assert [a["status"] for a in (await control.deliveries(event_id))[0]["attempts"]] == [
        503,
        500,
        200,
    ]
