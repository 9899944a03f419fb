"""Orders through HTTP against the sim airlines: create, read, list, cancel, and their errors."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from tests.support.booking import BookingEnv, Headers, adult, in_days
from tests.support.tokens import bearer, sign_as_sim, sim_claims

PROBLEM = "application/problem+json"


async def _held(
    env: BookingEnv, headers: Headers, offer: dict[str, Any] | None = None, **body: Any
) -> Any:
    response = await env.order(headers, offer or await env.offer(), **body)
    body = await response.json()
    assert response.status == 201, body
    return body


async def test_a_traveler_holds_an_offer_and_gets_the_order_back(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()

    response = await booking_env.order(alice, offer)
    order: dict[str, Any] = await response.json()

    assert response.status == 201, order
    assert order["id"].startswith("ord_")
    assert (order["status"], order["payment_status"], order["type"]) == ("held", "unpaid", "hold")
    assert len(order["booking_reference"]) == 6
    assert order["total_amount"] == offer["total_amount"]
    assert order["total_currency"] == offer["total_currency"]
    assert order["slices"] == offer["slices"]
    assert order["passengers"][0]["given_name"] == "Ada"
    assert order["payment_required_by"] is not None
    assert order["airline_locator"]
    assert "owner" not in order
    fetched = await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)
    assert fetched.status == 200
    assert await fetched.json() == order
    metrics = await (await booking_env.client.get("/metrics")).text()
    assert 'skyfare_orders_total{outcome="held"}' in metrics
    assert 'skyfare_order_transitions_total{to_payment="unchanged",to_status="held"}' in metrics


async def test_the_openapi_document_describes_the_order_routes(booking_env: BookingEnv) -> None:
    document = await (await booking_env.client.get("/openapi.json")).json()

    create = document["paths"]["/v1/orders"]["post"]
    assert create["security"] == [{"bearer": []}]
    assert {"201", "400", "401", "404", "409", "410", "422", "503"} <= set(create["responses"])
    assert create["parameters"][0]["name"] == "Idempotency-Key"
    listing = document["paths"]["/v1/orders"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"limit", "after", "status", "in_flight"}
    assert "/v1/orders/{order_id}/cancel" in document["paths"]
    assert "OrderView" in document["components"]["schemas"]


async def test_an_order_without_an_idempotency_key_is_refused_naming_the_header(
    booking_env: BookingEnv, alice: Headers
) -> None:
    response = await booking_env.client.post(
        "/v1/orders", json={"offer_id": "off_x", "passengers": [adult()]}, headers=alice
    )
    problem = await response.json()

    assert response.status == 400
    assert response.content_type == PROBLEM
    assert "Idempotency-Key" in problem["detail"]


async def test_order_routes_want_a_bearer_token(booking_env: BookingEnv) -> None:
    responses = [
        await booking_env.client.get("/v1/orders"),
        await booking_env.client.get("/v1/orders/ord_x"),
        await booking_env.client.post("/v1/orders/ord_x/cancel"),
        await booking_env.client.post("/v1/orders", json={}, headers={"Idempotency-Key": "k"}),
    ]

    assert [r.status for r in responses] == [401] * 4
    assert all(r.headers["WWW-Authenticate"].startswith("Bearer") for r in responses)


async def test_a_token_after_several_spaces_is_read_as_after_one(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
    token = alice["Authorization"].removeprefix("Bearer ")
    spaced = await booking_env.client.get(
        "/v1/orders", headers={"Authorization": f"Bearer   {token}"}
    )
    tabbed = await booking_env.client.get(
        "/v1/orders", headers={"Authorization": f"Bearer\t{token}"}
    )

    assert spaced.status == 200, await spaced.text()
    assert tabbed.status == 401


async def test_every_bad_field_of_an_order_is_named_in_one_problem(
    booking_env: BookingEnv, alice: Headers
) -> None:
    bad = {"type": "child", "given_name": "", "family_name": "L0velace", "born_on": "2999-01-01",
           "gender": "q", "email": "nope", "phone_number": "12", "nickname": "x"}  # fmt: skip

    response = await booking_env.order(alice, "", passengers=[bad], type="later", extra=1)
    problem = await response.json()

    assert response.status == 422
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {
        "offer_id", "type", "extra", "passengers[0].nickname", "passengers[0].given_name",
        "passengers[0].family_name", "passengers[0].born_on", "passengers[0].gender",
        "passengers[0].email", "passengers[0].phone_number",
    }  # fmt: skip


async def test_contact_details_that_are_not_one_address_or_number_are_each_named(
    booking_env: BookingEnv, alice: Headers
) -> None:
    passengers = [
        adult(email="a,bob@example.com", phone_number="+442071838750\n"),
        adult("Grace", "Hopper", email="<x>@example.com", phone_number="+44 20 7183 8750"),
        adult("Alan", "Turing", email="ada@example.com\n", phone_number="+442071838750"),
        adult("Kath", "Johnson", email="ad\u202ea@example.com", phone_number="+442071838750"),
    ]

    response = await booking_env.order(alice, "off_x", passengers=passengers)
    problem = await response.json()

    assert response.status == 422
    assert response.content_type == PROBLEM
    assert {e["field"] for e in problem["errors"]} == {
        "passengers[0].email", "passengers[0].phone_number", "passengers[1].email",
        "passengers[1].phone_number", "passengers[2].email", "passengers[3].email",
    }  # fmt: skip


async def test_a_decomposed_name_is_booked_and_stored_composed(
    booking_env: BookingEnv, alice: Headers
) -> None:
    decomposed = adult("Jose\u0301", "Mu\u0308ller")  # e + combining acute, u + diaeresis

    order = await _held(booking_env, alice, passengers=[decomposed])

    fetched = await (
        await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)
    ).json()
    names = (fetched["passengers"][0]["given_name"], fetched["passengers"][0]["family_name"])
    assert names == ("Jos\u00e9", "M\u00fcller")


async def test_passengers_that_do_not_match_the_offer_are_refused(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()
    child = adult("Tim", type="child", born_on="2019-01-01")

    response = await booking_env.order(alice, offer, passengers=[adult(), child])
    problem = await response.json()

    assert response.status == 422
    assert [e["field"] for e in problem["errors"]] == ["passengers"]


async def test_an_unknown_offer_is_404(booking_env: BookingEnv, alice: Headers) -> None:
    response = await booking_env.order(alice, "off_bm90LWFuLW9mZmVy")

    assert response.status == 404
    assert response.content_type == PROBLEM


async def test_the_same_key_with_another_body_is_422(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()
    first = await booking_env.order(alice, offer, key="same-key")

    second = await booking_env.order(
        alice, offer, key="same-key", passengers=[adult("Grace", "Hopper")]
    )
    problem = await second.json()

    assert first.status == 201
    assert second.status == 422
    assert [e["field"] for e in problem["errors"]] == ["headers.Idempotency-Key"]


async def test_orders_list_newest_first_in_pages(booking_env: BookingEnv, alice: Headers) -> None:
    offer = await booking_env.offer()
    await booking_env.set_seats_left(offer, 9)  # its price stays put while we book it thrice
    ids = [(await _held(booking_env, alice, offer))["id"] for _ in range(3)]

    seen: list[str] = []
    url = "/v1/orders?limit=2"
    while url:
        response = await booking_env.client.get(url, headers=alice)
        page = await response.json()
        assert response.status == 200, page
        assert page["meta"]["limit"] == 2
        seen += [o["id"] for o in page["data"]]
        after = page["meta"]["after"]
        url = f"/v1/orders?limit=2&after={after}" if after else ""

    assert seen == list(reversed(ids))


async def test_bad_list_parameters_are_each_named(booking_env: BookingEnv, alice: Headers) -> None:
    response = await booking_env.client.get("/v1/orders?limit=500&after=nonsense", headers=alice)
    problem = await response.json()

    assert response.status == 422
    assert {e["field"] for e in problem["errors"]} == {"query.limit", "query.after"}


async def test_another_traveler_can_neither_see_list_nor_cancel_an_order_but_support_can(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # A bob of this test only: the database outlives it, and his list must hold no order.
    bob = await booking_env.token(f"bob-{uuid.uuid4().hex[:8]}")
    support = await booking_env.token("agent-7", roles=["support"])
    order = await _held(booking_env, alice)
    path = f"/v1/orders/{order['id']}"

    bob_get = await booking_env.client.get(path, headers=bob)
    bob_list = await (await booking_env.client.get("/v1/orders", headers=bob)).json()
    bob_cancel = await booking_env.client.post(f"{path}/cancel", headers=bob)
    support_get = await booking_env.client.get(path, headers=support)
    support_list = await (await booking_env.client.get("/v1/orders", headers=support)).json()
    still_held = await (await booking_env.client.get(path, headers=alice)).json()
    support_cancel = await booking_env.client.post(f"{path}/cancel", headers=support)

    assert (bob_get.status, bob_cancel.status) == (404, 404)
    assert bob_list["data"] == []
    assert still_held["status"] == "held"
    assert support_get.status == 200
    assert order["id"] in {o["id"] for o in support_list["data"]}
    assert support_cancel.status == 200
    assert (await support_cancel.json())["status"] == "cancelled"


async def test_cancelling_gives_the_seats_back_and_twice_is_not_an_error(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()
    await booking_env.set_seats_left(offer, 5)
    order = await _held(booking_env, alice, offer)
    assert await booking_env.seats_left(offer) == 4

    first = await booking_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    second = await booking_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)

    assert (first.status, second.status) == (200, 200)
    assert (await first.json())["status"] == (await second.json())["status"] == "cancelled"
    assert await booking_env.seats_left(offer) == 5


async def test_a_cancel_that_says_something_is_refused_and_the_order_left_as_it_was(
    booking_env: BookingEnv, alice: Headers
) -> None:
    """The cancel takes no body: a field sent with it was read by nothing, and the order was
    cancelled anyway. Now each is named unknown, as on every route, and nothing is done."""
    order = await _held(booking_env, alice)
    cancel = f"/v1/orders/{order['id']}/cancel"
    plain = {**alice, "Content-Type": "text/plain"}

    said = await booking_env.client.post(cancel, headers=alice, json={"refund": False, "why": 1})
    words = await booking_env.client.post(cancel, headers=plain, data=b"please cancel")
    listed = await booking_env.client.post(cancel, headers=alice, json=[])
    still = await (await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)).json()
    empty = await booking_env.client.post(cancel, headers=alice, json={})

    assert [r.status for r in (said, words, listed)] == [422, 422, 422]
    assert {e["field"] for e in (await said.json())["errors"]} == {"refund", "why"}
    assert [e["field"] for e in (await words.json())["errors"]] == ["body"]
    assert [e["field"] for e in (await listed.json())["errors"]] == ["body"]
    assert still["status"] == "held"
    assert empty.status == 200, await empty.text()
    assert (await empty.json())["status"] == "cancelled"


async def test_another_travelers_idempotency_key_replays_nothing_of_the_first_order(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # Keys are scoped to the caller: the same key and body from bob is bob's own new request,
    # never a replay of alice's answer (which would hand him her order, names and all).
    bob = await booking_env.token(f"bob-{uuid.uuid4().hex[:8]}")
    offer = await booking_env.offer()
    key = str(uuid.uuid4())
    first = await booking_env.order(alice, offer, key=key)
    assert first.status == 201
    alices = await first.json()

    second = await booking_env.order(bob, offer, key=key)
    answer = await second.json()

    assert answer.get("id") != alices["id"]
    assert alices["booking_reference"] not in str(answer)
    mine = await (await booking_env.client.get("/v1/orders", headers=alice)).json()
    assert [o["id"] for o in mine["data"]] == [alices["id"]]


async def test_tokens_the_issuer_did_not_grant_are_401_before_any_check_of_the_request(
    booking_env: BookingEnv,
) -> None:
    # Regressions that held when probed, through the whole app and ahead of every other check.
    url = booking_env.sim.url
    now = int(time.time())
    tokens = {
        "expired": sign_as_sim(sim_claims(url, "alice", exp=now - 120)),
        "forged-support": sign_as_sim(
            sim_claims(url, "mallory", roles=["support"]), seed=7, kid="sim-42-1"
        ),
        "unknown-kid": sign_as_sim(sim_claims(url, "alice"), kid="sim-42-99"),
        "wrong-issuer": sign_as_sim(sim_claims(url, "alice", iss="https://login.example.com/")),
        "wrong-audience": sign_as_sim(sim_claims(url, "alice", aud="another-api")),
        "string-exp": sign_as_sim(sim_claims(url, "alice", exp=str(now + 3600))),
    }
    junk = "ord_%00"
    requests = [
        ("POST", "/v1/orders", {"Content-Type": "application/json"}, b"{not json"),
        ("GET", "/v1/orders?limit=5&limit=7", {}, None),
        ("GET", f"/v1/orders/{junk}", {}, None),
        ("POST", f"/v1/orders/{junk}/cancel", {}, None),
        ("POST", f"/v1/orders/{junk}/payments", {"Content-Type": "text/plain"}, b"x"),
    ]

    for name, token in tokens.items():
        for method, path, headers, body in requests:
            response = await booking_env.client.request(
                method, path, headers={**headers, **bearer(token)}, data=body
            )
            assert response.status == 401, (name, method, path, await response.text())
            assert response.headers["WWW-Authenticate"].startswith('Bearer realm="skyfare"')


async def test_an_infant_who_turns_two_before_the_return_flight_is_refused(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # On the lap out, two on the way back: the airline seats no one of two on a lap, so the
    # return could not be flown as booked (ages were checked on the first departure only).
    offer = await booking_env.offer(days=60, return_date=in_days(100), infants="1")
    outbound = dt.date.fromisoformat(in_days(60))
    born = outbound.replace(year=outbound.year - 2) + dt.timedelta(days=20)
    infant = adult("Tim", type="infant", born_on=born.isoformat())

    response = await booking_env.order(alice, offer, passengers=[adult(), infant])
    problem = await response.json()

    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["passengers[1].born_on"]
    assert "under 2" in problem["errors"][0]["message"]
