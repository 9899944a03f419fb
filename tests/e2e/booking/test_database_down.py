"""PostgreSQL down: order endpoints answer 503 quickly, searches go on, and orders come back by
themselves when the database does (docs/architecture.md "Where state lives")."""

from __future__ import annotations

import msgspec

from skyfare.settings import Settings
from tests.support.booking import booking_app
from tests.support.tcp_proxy import PostgresProxy


async def test_orders_answer_503_while_postgres_is_down_and_resume_when_it_is_back(
    settings: Settings,
) -> None:
    assert settings.database_url is not None
    async with PostgresProxy(settings.database_url) as proxy:
        through_proxy = msgspec.structs.replace(settings, database_url=proxy.url)
        async with booking_app(through_proxy) as env:
            alice = await env.token("alice-db-down")
            offer = await env.offer()
            before = await env.order(alice, offer)
            order = await before.json()
            assert before.status == 201, order

            # PostgreSQL stays unreachable until `restore` below: a request that waited for it to
            # come back would hang, and pytest-timeout fail the test.
            await proxy.cut()
            create = await env.order(alice, offer)
            problem = await create.json()
            get = await env.client.get(f"/v1/orders/{order['id']}", headers=alice)
            listing = await env.client.get("/v1/orders", headers=alice)
            cancel = await env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
            searched = await env.offer()  # searches do not need PostgreSQL

            assert create.status == 503
            assert create.content_type == "application/problem+json"
            assert int(create.headers["Retry-After"]) >= 1  # clients back off by it
            assert "database" in problem["detail"]
            assert (get.status, listing.status, cancel.status) == (503, 503, 503)
            assert searched["id"]

            await proxy.restore()
            again = await env.client.get(f"/v1/orders/{order['id']}", headers=alice)
            assert again.status == 200
            assert (await again.json())["status"] == "held"  # the 503 cancel changed nothing
