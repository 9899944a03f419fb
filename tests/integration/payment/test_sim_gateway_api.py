"""The sim gateway's raw HTTP contract: authentication, idempotency keys, validation, control."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.support.payment_sim import PaymentsSimControl

INTENT = {"amount": "612.40", "currency": "usd", "card_token": "tok_visa", "metadata": {}}


@pytest.fixture
async def http(control: PaymentsSimControl) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        base_url=control.gateway_url + "/", timeout=aiohttp.ClientTimeout(total=5)
    ) as session:
        yield session


def auth(key: str | None = "k1", api_key: str = "sk_test_skyfare_sim") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {api_key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


async def post(
    http: aiohttp.ClientSession, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with http.post(path, json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_new_intent_answers_processing_with_the_amount_as_a_decimal_string(
    http: aiohttp.ClientSession,
) -> None:
    status, body = await post(http, "v1/payment_intents", INTENT, auth())
    assert status == 200
    assert body["id"].startswith("pi_")
    assert (body["status"], body["amount"], body["currency"]) == ("processing", "612.40", "USD")


async def test_a_post_without_an_idempotency_key_is_a_bad_request(
    http: aiohttp.ClientSession,
) -> None:
    status, body = await post(http, "v1/payment_intents", INTENT, auth(key=None))
    assert status == 400
    assert body["error"]["code"] == "idempotency_key_missing"


async def test_a_wrong_secret_key_is_unauthorized(http: aiohttp.ClientSession) -> None:
    status, body = await post(http, "v1/payment_intents", INTENT, auth(api_key="sk_live_x"))
    assert (status, body["error"]["type"]) == (401, "authentication_error")


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "twelve"}, "amount"),
        ({"currency": "dollars"}, "currency"),
        ({"card_token": "tok_stolen"}, "card_token"),
    ],
)
async def test_an_invalid_intent_is_refused_with_422_naming_the_parameter(
    http: aiohttp.ClientSession, change: dict[str, str], param: str
) -> None:
    status, body = await post(http, "v1/payment_intents", {**INTENT, **change}, auth())
    assert status == 422
    assert body["error"]["param"] == param


async def test_a_replayed_answer_is_marked_and_identical(http: aiohttp.ClientSession) -> None:
    _, first = await post(http, "v1/payment_intents", INTENT, auth("same"))
    async with http.post("v1/payment_intents", json=INTENT, headers=auth("same")) as response:
        assert response.headers["Idempotent-Replayed"] == "true"
        assert (await response.json())["id"] == first["id"]


async def test_a_refused_request_is_replayed_as_refused(http: aiohttp.ClientSession) -> None:
    bad = {**INTENT, "card_token": "tok_nope"}
    first = await post(http, "v1/payment_intents", bad, auth("bad"))
    assert await post(http, "v1/payment_intents", bad, auth("bad")) == first


async def test_the_control_api_lists_intents_by_order_and_resets(
    http: aiohttp.ClientSession, control: PaymentsSimControl
) -> None:
    mine = {**INTENT, "metadata": {"order_id": "ord_mine"}}
    await post(http, "v1/payment_intents", mine, auth("a"))
    await post(http, "v1/payment_intents", INTENT, auth("b"))
    assert len(await control.intents("ord_mine")) == 1
    await control.reset()
    assert await control.intents() == []
    # The keys are forgotten too: the same key charges anew.
    assert (await post(http, "v1/payment_intents", INTENT, auth("b")))[0] == 200
    assert len(await control.intents()) == 1


async def test_the_control_api_never_shows_the_webhook_secrets(
    control: PaymentsSimControl,
) -> None:
    shown = await control.configure_webhook(secrets=["whsec_a", "whsec_b"])
    assert shown["secrets"] == 2
    assert "whsec_a" not in str(shown)
