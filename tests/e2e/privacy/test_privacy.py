"""`GET /v1/me/export` and `DELETE /v1/me` over the real API: everything held about the caller,
and the caller's only; erasure keeps orders with their passengers' contact details removed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.support.api_seat_maps import seat_elements
from tests.support.booking import BookingEnv, Headers
from tests.support.saved_travelers import save_traveler
from tests.support.tokens import signed_in_again


async def _booked(env: BookingEnv, headers: Headers) -> tuple[dict[str, Any], dict[str, Any]]:
    """A saved traveler, and a held order for them."""
    traveler = await save_traveler(env, headers, document={
        "type": "passport", "number": "X1234567", "issuing_country": "GB",
        "expires_on": "2035-01-01",
    })  # fmt: skip
    passengers = [{"type": "adult", "traveler_id": traveler["id"], "phone_number": "+15550100"}]
    response = await env.order(headers, await env.offer(), passengers=passengers)
    order: dict[str, Any] = await response.json()
    assert response.status == 201, order
    return traveler, order


async def test_the_export_holds_the_profile_travelers_and_orders_of_the_caller_only(
    booking_env: BookingEnv, ada: Headers, bob: Headers
) -> None:
    traveler, order = await _booked(booking_env, ada)
    await _booked(booking_env, bob)

    response = await booking_env.client.get("/v1/me/export", headers=ada)
    export = await response.json()

    assert response.status == 200, export
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert export["user"]["profile"] is not None
    [saved] = export["user"]["travelers"]
    assert saved["id"] == traveler["id"]
    assert saved["document"]["number"] == "X1234567"  # the owner's own copy, in clear
    [exported] = export["orders"]
    assert exported["id"] == order["id"]
    assert exported["passengers"][0]["phone_number"] == "+15550100"
    assert [h["to_status"] for h in exported["history"]] == ["pending", "held"]
    bobs = await (await booking_env.client.get("/v1/me/export", headers=bob)).json()
    assert traveler["id"] not in str(bobs)
    assert order["id"] not in str(bobs)


async def test_the_export_gives_each_history_step_its_details_as_the_history_route_does(
    booking_env: BookingEnv, ada: Headers
) -> None:
    _, order = await _booked(booking_env, ada)
    seat_map = (await (await booking_env.client.get(
        "/v1/seat_maps", params={"order_id": order["id"]}, headers=ada
    )).json())["seat_maps"][0]  # fmt: skip
    free = next(
        e for e in seat_elements(seat_map)
        if e.get("available_services") and Decimal(e["available_services"][0]["total_amount"]) == 0
    )  # fmt: skip
    service = {"type": "seat", "segment_id": seat_map["segment_id"], "passenger_id": "pas_1",
               "designator": free["designator"]}  # fmt: skip
    chosen = await booking_env.client.post(
        f"/v1/orders/{order['id']}/seats", json={"services": [service]}, headers=ada
    )
    assert chosen.status == 200, await chosen.json()

    export = await (await booking_env.client.get("/v1/me/export", headers=ada)).json()
    history = await booking_env.client.get(f"/v1/orders/{order['id']}/history", headers=ada)

    [exported] = export["orders"]
    served = (await history.json())["data"]
    assert [h["details"] for h in exported["history"]] == [s["details"] for s in served]
    assert exported["history"][-1]["code"] == "seats_chosen"
    [seat] = exported["history"][-1]["details"]["seats"]
    assert seat["designator"] == free["designator"]


async def test_delete_refuses_while_a_hold_is_open_then_erases_and_keeps_the_order(
    booking_env: BookingEnv, ada: Headers, bob: Headers
) -> None:
    _, order = await _booked(booking_env, ada)
    _, bobs_order = await _booked(booking_env, bob)
    client = booking_env.client

    refused = await client.delete("/v1/me", headers=ada)
    problem = await refused.json()
    assert refused.status == 409, problem
    assert problem["orders_in_flight"] == [order["id"]]
    assert len((await (await client.get("/v1/me/travelers", headers=ada)).json())["data"]) == 1

    await client.post(f"/v1/orders/{order['id']}/cancel", headers=ada)
    response = await client.delete("/v1/me", headers=ada)
    report = await response.json()

    assert response.status == 200, report
    assert response.headers["Cache-Control"] == "no-store"
    assert report["erased"] == {
        "profile": True,
        "saved_travelers": 1,
        "passengers_contact_details": 1,
        "support_cases": 0,
    }
    assert [(k["what"], k["count"]) for k in report["kept"]] == [("orders", 1)]
    # The erasing session is over with the others; the traveler signs in again to look.
    assert (await client.get(f"/v1/orders/{order['id']}", headers=ada)).status == 401
    ada = signed_in_again(booking_env.sim.url, ada)
    kept = await (await client.get(f"/v1/orders/{order['id']}", headers=ada)).json()
    assert kept["passengers"][0]["phone_number"] is None
    assert kept["passengers"][0]["given_name"] == "Grace"
    export = await (await client.get("/v1/me/export", headers=ada)).json()
    assert export["user"]["travelers"] == []
    # Bob's data is untouched.
    bobs = await (await client.get(f"/v1/orders/{bobs_order['id']}", headers=bob)).json()
    assert bobs["passengers"][0]["phone_number"] == "+15550100"
    assert len((await (await client.get("/v1/me/travelers", headers=bob)).json())["data"]) == 1


async def test_delete_again_with_the_erasing_token_is_refused_as_its_session_is_over(
    booking_env: BookingEnv, ada: Headers
) -> None:
    await save_traveler(booking_env, ada)
    first = await booking_env.client.delete("/v1/me", headers=ada)
    assert first.status == 200, await first.text()

    again = await booking_env.client.delete("/v1/me", headers=ada)

    problem = await again.json()
    assert again.status == 401, problem
    assert problem["type"] == "https://skyfare.dev/problems/account-erased"
    assert again.headers["WWW-Authenticate"].startswith(
        'Bearer realm="skyfare", error="invalid_token"'
    )


async def test_export_and_delete_need_a_token(booking_env: BookingEnv) -> None:
    for method, path in (("GET", "/v1/me/export"), ("DELETE", "/v1/me")):
        response = await booking_env.client.request(method, path)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_the_openapi_document_describes_export_and_erasure(booking_env: BookingEnv) -> None:
    document = await (await booking_env.client.get("/openapi.json")).json()

    export = document["paths"]["/v1/me/export"]["get"]
    erase = document["paths"]["/v1/me"]["delete"]
    assert export["security"] == erase["security"] == [{"bearer": []}]
    assert {"200", "401", "503"} <= set(export["responses"])
    assert {"200", "401", "409", "503"} <= set(erase["responses"])
    schemas = document["components"]["schemas"]
    assert schemas["DataExport"]["properties"]["user"] == {
        "$ref": "#/components/schemas/UserExport"
    }
    assert set(schemas["ErasureReport"]["required"]) == {"erased", "kept", "detail"}
