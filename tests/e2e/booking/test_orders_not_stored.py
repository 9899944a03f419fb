"""Orders carry names, birth dates, emails and phones: no cache may keep any answer about them."""

from __future__ import annotations

from tests.support.booking import BookingEnv, Headers


async def test_every_order_and_payment_answer_says_no_store(
    booking_env: BookingEnv, alice: Headers
) -> None:
    client = booking_env.client
    created = await booking_env.order(alice, await booking_env.offer(), type="hold")
    order = await created.json()
    assert created.status == 201, order
    answers = [
        created,
        await client.get(f"/v1/orders/{order['id']}", headers=alice),
        await client.head(f"/v1/orders/{order['id']}", headers=alice),
        await client.get("/v1/orders", headers=alice),
        await client.post(
            f"/v1/orders/{order['id']}/payments",
            json={"card_token": "tok_visa"},
            headers={**alice, "Idempotency-Key": f"pay-{order['id']}"},
        ),
        await client.post(f"/v1/orders/{order['id']}/cancel", headers=alice),
        await client.get("/v1/orders"),  # a 401 as well
    ]
    assert [a.status for a in answers] == [201, 200, 200, 200, 202, 200, 401]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store", answer.url
