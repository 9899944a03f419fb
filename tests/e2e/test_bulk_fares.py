"""Bulk fares and the fare calendar through the whole app, for a partner with an API key."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from search.fare_index_breaker import read_policy
from search.fare_index_redis import RedisFareIndex
from search.routes import SEARCH_SERVICE
from skyfare.app import create_app
from skyfare.keys import FARE_CACHE
from skyfare.settings import Settings
from tests.support.flights import in_days

Client = TestClient[web.Request, web.Application]


def _query(days: int, destination: str = "JFK", **extra: Any) -> dict[str, Any]:
    return {"origin": "LHR", "destination": destination, "departure_date": in_days(days), **extra}


@pytest.fixture
def client(sim_client: Client) -> Client:
    return sim_client


async def _warm(client: Client, days: int, **params: str) -> dict[str, Any]:
    response = await client.get(
        "/v1/search", params={**_query(days), "departure_date": in_days(days), **params}
    )
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    assert body["offers"]
    assert not body["meta"]["partial"], body["meta"]  # only a complete answer is indexed
    # The index (the calendar's) is written behind the answer: read it only once it is there.
    await client.app[FARE_CACHE].settle()
    return body


async def _bulk(client: Client, key: str, **body: Any) -> list[dict[str, Any]]:
    response = await client.post("/v1/fares/bulk", json=body, headers={"X-API-Key": key})
    text = await response.text()
    assert response.status == 200, text
    assert response.headers["Content-Type"] == "application/x-ndjson"
    return [msgspec.json.decode(line) for line in text.splitlines()]


def _cheapest(body: dict[str, Any]) -> dict[str, str]:
    first = body["offers"][0]
    return {
        "amount": first["total_amount"],
        "currency": first["total_currency"],
        "offer_id": first["id"],
    }


async def test_partner_routes_want_an_api_key(client: Client) -> None:
    bulk = await client.post("/v1/fares/bulk", json={"queries": [_query(30)]})
    calendar = await client.get("/v1/fares/calendar", params={"origin": "LHR"})

    assert (bulk.status, calendar.status) == (401, 401)
    assert bulk.headers["WWW-Authenticate"] == calendar.headers["WWW-Authenticate"]


_ADMITTING = [
    "application/x-ndjson",
    "*/*",
    "application/*",
    "application/json, */*;q=0.1",
    # What locust's FastHttpUser (and many HTTP libraries) send with a JSON body: each NDJSON
    # line is a JSON text, so a JSON client reads the answer.
    "application/json",
]
_REFUSING = [
    "text/html",
    "application/x-ndjson;q=0, */*",
    "application/json, application/x-ndjson;q=0",
    "*/*;q=0",
]


@pytest.mark.parametrize("accept", _ADMITTING + _REFUSING)
async def test_bulk_answers_ndjson_to_an_accept_that_admits_it_or_json(
    client: Client, api_key: str, accept: str
) -> None:
    body = {"queries": [_query(30)]}
    headers = {"X-API-Key": api_key, "Accept": accept}
    response = await client.post("/v1/fares/bulk", json=body, headers=headers)
    # The key is checked first, as on every partner route: an anonymous request learns nothing.
    anonymous = await client.post("/v1/fares/bulk", json=body, headers={"Accept": accept})

    assert anonymous.status == 401
    if accept in _ADMITTING:
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"] == "application/x-ndjson"
        return
    problem = await response.json(content_type=None)
    assert response.status == 406, problem
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem["type"] == "https://skyfare.dev/problems/not-acceptable"
    assert problem["available"] == ["application/x-ndjson"]


async def test_cached_bulk_answers_warmed_routes_in_order(client: Client, api_key: str) -> None:
    one_way = await _warm(client, 40)
    round_trip = await _warm(client, 41, return_date=in_days(48))
    queries = [
        _query(41, return_date=in_days(48)),
        _query(42),
        _query(40, destination="XXX"),
        _query(40),
    ]

    lines = await _bulk(client, api_key, queries=queries)

    assert [(line["index"], line["status"]) for line in lines] == [
        (0, "ok"), (1, "not_cached"), (2, "invalid"), (3, "ok"),
    ]  # fmt: skip
    assert lines[0]["cheapest"] == _cheapest(round_trip)
    assert lines[3]["cheapest"] == _cheapest(one_way)
    assert lines[3]["offers"] == len(one_way["offers"])
    assert [e["field"] for e in lines[2]["errors"]] == ["destination"]


async def test_a_batch_over_1000_queries_is_refused(client: Client, api_key: str) -> None:
    response = await client.post(
        "/v1/fares/bulk", json={"queries": [_query(30)] * 1001}, headers={"X-API-Key": api_key}
    )

    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["queries"]


async def test_live_mode_searches_what_is_missing(client: Client, api_key: str) -> None:
    lines = await _bulk(client, api_key, queries=[_query(43)], mode="live")
    await client.app[FARE_CACHE].settle()  # its answer is stored behind the line
    again = await _bulk(client, api_key, queries=[_query(43)])
    searched = await _warm(client, 43)  # now a hit: the very answer the bulk search stored

    assert lines[0]["status"] == "ok"
    assert lines[0]["cheapest"] == again[0]["cheapest"] == _cheapest(searched)


async def test_a_route_no_airline_serves_is_said_in_both_modes(
    client: Client, api_key: str
) -> None:
    # KEF-AKL: real airports no sim airline flies between; a miss that no search would change.
    unserved = {"origin": "KEF", "destination": "AKL", "departure_date": in_days(35)}

    cached = await _bulk(client, api_key, queries=[unserved, _query(35)], mode="cached")
    live = await _bulk(client, api_key, queries=[unserved], mode="live")

    codes = [[w["code"] for w in line.get("warnings", [])] for line in (*cached, *live)]
    assert codes == [["route_not_served"], [], ["route_not_served"]]
    assert (cached[0]["status"], live[0]["status"], live[0]["offers"]) == ("not_cached", "ok", 0)


async def test_a_thousand_cached_queries_stream_in_chunks(client: Client, api_key: str) -> None:
    for days in (50, 51, 52):
        await _warm(client, days)
    queries = [_query(50 + i % 5) for i in range(1000)]  # 3 of 5 warmed

    for _ in range(2):  # the second round runs with the partner's key already cached
        start = time.perf_counter()
        response = await client.post(
            "/v1/fares/bulk", json={"queries": queries}, headers={"X-API-Key": api_key}
        )
        headers_at = time.perf_counter()
        chunks: list[bytes] = []
        first_at = 0.0
        async for data, _ in response.content.iter_chunks():
            first_at = first_at or time.perf_counter()
            chunks.append(data)
        end = time.perf_counter()
        lines = [msgspec.json.decode(line) for line in b"".join(chunks).splitlines()]
        print(
            f"1000 cached queries: headers {(headers_at - start) * 1000:.1f} ms, first line "
            f"{(first_at - start) * 1000:.1f} ms, last line {(end - start) * 1000:.1f} ms, "
            f"{len(chunks)} chunks"
        )

    assert [line["index"] for line in lines] == list(range(1000))
    assert [line["status"] for line in lines[:5]] == ["ok", "ok", "ok", "not_cached", "not_cached"]
    assert len(chunks) > 1  # written as it was looked up, not as one body
    # How fast is bench/'s business (DESIGN.md: 1000 cached queries under 100 ms of server time);
    # the printed timings are for whoever runs this by hand.


async def test_the_calendar_shows_the_warmed_day_and_nulls_elsewhere(
    client: Client, api_key: str
) -> None:
    warmed = await _warm(client, 60)
    day = in_days(60)

    response = await client.get(
        "/v1/fares/calendar",
        params={"origin": "LHR", "destination": "JFK", "month": day[:7]},
        headers={"X-API-Key": api_key},
    )
    body = await response.json()

    assert response.status == 200, body
    assert body["days"][day]["cheapest"] == _cheapest(warmed)
    assert [d for d, fare in body["days"].items() if fare is not None] == [day]


async def test_a_calendar_month_in_the_past_is_refused(client: Client, api_key: str) -> None:
    response = await client.get(
        "/v1/fares/calendar",
        params={"origin": "LHR", "destination": "JFK", "month": "2020-01"},
        headers={"X-API-Key": api_key},
    )

    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["query.month"]


async def test_travelers_read_the_same_calendar_without_a_key(client: Client, api_key: str) -> None:
    # Its own route (JFK → LHR) and day: the partners' calendar test above sees only its own.
    warmed = await _warm(client, 62, origin="JFK", destination="LHR")
    day = in_days(62)
    params = {"origin": "JFK", "destination": "LHR", "month": day[:7]}

    public = await client.get("/v1/calendar", params=params)
    partners = await client.get("/v1/fares/calendar", params=params, headers={"X-API-Key": api_key})
    body = await public.json()

    assert public.status == 200, body
    assert body["days"][day]["cheapest"] == _cheapest(warmed)
    assert body == await partners.json()


async def test_the_travelers_calendar_names_each_bad_parameter(client: Client) -> None:
    response = await client.get(
        "/v1/calendar", params={"origin": "LHR", "destination": "QQQ", "month": "2020-01"}
    )

    assert response.status == 422
    fields = {e["field"] for e in (await response.json())["errors"]}
    assert fields == {"query.destination", "query.month"}


async def test_the_calendar_in_the_traveler_s_currency_shows_what_a_search_in_it_found(
    client: Client, api_key: str
) -> None:
    # It answered each day in the currency of whatever was cached (US dollars only: searches in
    # other currencies were not indexed), while the search form asked for prices in euros.
    warmed = await _warm(client, 64, destination="CDG", currency="EUR")
    day = in_days(64)
    params = {"origin": "LHR", "destination": "CDG", "month": day[:7]}

    euros = await client.get("/v1/calendar", params={**params, "currency": "eur"})
    partners = await client.get(
        "/v1/fares/calendar", params={**params, "currency": "EUR"}, headers={"X-API-Key": api_key}
    )
    dollars = await client.get("/v1/calendar", params=params)
    body = await euros.json()

    assert euros.status == 200, body
    assert body["currency"] == "EUR"
    assert body["days"][day]["cheapest"] == _cheapest(warmed)  # the search's own price, in EUR
    assert warmed["offers"][0]["total_currency"] == "EUR"
    assert body == await partners.json()
    assert (await dollars.json())["days"][day] is None  # a fare in euros is no dollar price


async def test_a_calendar_currency_search_does_not_price_in_is_named(client: Client) -> None:
    response = await client.get(
        "/v1/calendar",
        params={
            "origin": "LHR",
            "destination": "JFK",
            "month": in_days(30)[:7],
            "currency": "JPY",
        },
    )

    assert response.status == 422
    (error,) = (await response.json())["errors"]
    assert error["field"] == "query.currency"
    assert "EUR, GBP, USD" in error["message"]


async def test_the_fare_index_breaker_takes_its_settings(settings: Settings) -> None:
    configured = msgspec.structs.replace(
        settings, fare_index_breaker_failures=4, fare_index_breaker_open_s=7.5
    )

    async with TestClient(TestServer(create_app(configured))) as client:
        index = client.app[SEARCH_SERVICE].fare_index

    assert isinstance(index, RedisFareIndex)
    assert index.breaker.policy == read_policy(failures=4, open_s=7.5)
