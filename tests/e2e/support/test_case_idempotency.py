"""Opening a case with an Idempotency-Key: a double submit (a double click, a retry after a
lost answer) is one case, here and in the helpdesk, with Stripe's semantics as on orders."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

from booking.idempotency import fingerprint
from tests.e2e.support.conftest import SupportEnv
from tests.support.booking import Headers


async def _post(env: SupportEnv, headers: Headers, key: str, **body: Any) -> tuple[int, Any]:
    response = await env.client.post(
        "/v1/support/cases", json=body, headers={**headers, "Idempotency-Key": key}
    )
    return response.status, await response.json()


async def _cases_of(env: SupportEnv, order_id: str) -> int:
    count: int = await env.pay.pool.fetchval(
        "SELECT count(*) FROM support_cases WHERE order_id = $1", order_id
    )
    return count


async def test_a_retried_case_with_the_same_key_is_the_first_case_again(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=51)
    body = {"order_id": order["id"], "subject": "Bag", "message": "A second bag?"}
    key = str(uuid.uuid4())
    first = await _post(env, alice, key, **body)
    again = await _post(env, alice, key, **body)
    assert first[0] == again[0] == 201, (first, again)
    assert again[1] == first[1]
    assert await _cases_of(env, order["id"]) == 1
    assert len(await env.helpdesk.cases(first[1]["id"])) == 1

    other = await _post(env, alice, key, **{**body, "message": "A third bag?"})
    assert other[0] == 422, other
    assert [e["field"] for e in other[1]["errors"]] == ["headers.Idempotency-Key"]
    assert await _cases_of(env, order["id"]) == 1


async def test_a_double_submit_opens_one_case(support_env: SupportEnv, alice: Headers) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=53)
    body = {"order_id": order["id"], "subject": "Seat", "message": "Window, please."}
    key = str(uuid.uuid4())
    answers = await asyncio.gather(*(_post(env, alice, key, **body) for _ in range(4)))
    assert {status for status, _ in answers} <= {201, 409}, answers
    assert 201 in {status for status, _ in answers}
    assert len({answer["id"] for status, answer in answers if status == 201}) == 1
    status, case = await _post(env, alice, key, **body)  # the retry of the 409s
    assert status == 201, case
    assert await _cases_of(env, order["id"]) == 1
    assert [c["id"] for c in await env.cases(alice)] == [case["id"]]


async def test_anonymous_retries_with_the_same_key_are_one_case_and_spend_the_limit_once(
    support_env: SupportEnv, alice: Headers
) -> None:
    env = support_env
    order = await env.pay.held_order(alice, days=55)
    body = {
        "booking_reference": order["booking_reference"],
        "family_name": "Lovelace",
        "subject": "Meal",
        "message": "Vegetarian, please.",
    }
    key = str(uuid.uuid4())
    # A burst of 3 per address in this suite (conftest): the opening spends one, and its
    # replays (a client retrying after a lost answer) spend nothing.
    answers = [await _post(env, {}, key, **body) for _ in range(4)]
    assert [status for status, _ in answers] == [201] * 4, answers
    assert len({case["id"] for _, case in answers}) == 1
    assert await _cases_of(env, order["id"]) == 1
    wrong = {**body, "family_name": "Babbage"}
    statuses = [(await _post(env, {}, str(uuid.uuid4()), **wrong))[0] for _ in range(3)]
    assert statuses == [404, 404, 429]


async def test_a_retry_after_the_first_attempt_died_resumes_its_case(
    support_env: SupportEnv, alice: Headers
) -> None:
    """The first attempt named its case on the key and died (its lease lapsed, no answer): the
    retry opens that very case, not a second one beside it in the helpdesk."""
    env = support_env
    order = await env.pay.held_order(alice, days=57)
    body = {"order_id": order["id"], "subject": "Name", "message": "Spelling?"}
    key, case_id = str(uuid.uuid4()), f"cas_{uuid.uuid4().hex[:24]}"
    payload = alice["Authorization"].removeprefix("Bearer ").split(".")[1]
    subject = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
    request = fingerprint("POST", "/v1/support/cases", body)
    await env.pay.pool.execute(
        "INSERT INTO idempotency_keys (owner, key, request_method, request_path, request_hash,"
        " resource_id, locked_until, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, now() - interval '1 second', now() + interval '1 hour')",
        subject, key, request.method, request.path, request.body_hash, case_id,
    )  # fmt: skip
    status, case = await _post(env, alice, key, **body)
    assert status == 201, case
    assert case["id"] == case_id
    assert await _cases_of(env, order["id"]) == 1
    assert len(await env.helpdesk.cases(case_id)) == 1
