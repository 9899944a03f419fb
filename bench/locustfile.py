"""Locust scenarios: travelers searching, re-pricing and (rarely) booking; metasearch partners.

- `Traveler` searches a realistic mix (`bench.traffic`: popular routes and a long tail; one-way,
  return, multi-city; GET and POST), sometimes re-prices an offer it saw, and about once per 200
  searches holds an offer (`POST /v1/orders`) and pays for it (`POST /v1/orders/{id}/payments`)
  with a token from the sim's identity provider.
- `MetasearchPartner` pulls bulk cached fares and fare calendars with a partner key.

Tasks are tagged (`traveler`, `search`, `reprice`, `book`, `partner`, `bulk`, `calendar`) so a
scenario can be chosen with `--tags` / `--exclude-tags`, or by naming the user classes. Headless:

    .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 10 -t 60s \
        --host http://127.0.0.1:8080 --sim-url http://127.0.0.1:9100 \
        --partner-key "$(cat .skyfare/dev-partner-key)" --csv /tmp/mixed \
        [Traveler MetasearchPartner]

Booking and payment are asked only if the service's OpenAPI document lists their paths (checked
once at test start), so the scenario runs against a build without them; nothing else is skipped.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
import random
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, tag, task
from locust.env import Environment

from bench import traffic

logger = logging.getLogger("bench.locustfile")

ORDERS_PATH = "/v1/orders"
TOKEN_TTL_S = 3600
KEPT_OFFERS = 5  # offers a traveler remembers from its latest search
_seeds = itertools.count(1)
# Which booking endpoints the service under test has (from its OpenAPI document, at test start).
AVAILABLE = {"orders": False, "payments": False}


def _arguments(parser: Any) -> None:
    parser.add_argument(
        "--sim-url",
        default="http://127.0.0.1:9100",
        help="the sim (its /identity issues traveler tokens)",
    )
    parser.add_argument(
        "--partner-key",
        default=os.environ.get("SKYFARE_PARTNER_KEY", ""),
        help="metasearch partner API key",
        is_secret=True,
    )
    parser.add_argument("--bulk-size", type=int, default=100, help="queries per bulk request")
    parser.add_argument("--seed", type=int, default=1, help="seed of the users' random mixes")


def _discover(environment: Environment, **_: Any) -> None:
    try:
        with urllib.request.urlopen(f"{environment.host}/openapi.json", timeout=10) as response:
            paths = json.load(response).get("paths", {})
    except (OSError, ValueError) as exc:
        logger.warning("no OpenAPI document (%s): booking tasks are off", exc)
        return
    AVAILABLE["orders"] = ORDERS_PATH in paths
    AVAILABLE["payments"] = any(p.startswith(ORDERS_PATH) and "payments" in p for p in paths)
    logger.info("booking endpoints available: %s", AVAILABLE)


# locust's EventHook.add_listener has no annotations.
events.init_command_line_parser.add_listener(_arguments)  # type: ignore[no-untyped-call]
events.test_start.add_listener(_discover)  # type: ignore[no-untyped-call]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class Traveler(FastHttpUser):
    """A traveler in an app: searches, compares, now and then re-prices and books."""

    weight = 10
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.number = next(_seeds)
        self.rng = random.Random(f"{getattr(options, 'seed', 1)}:traveler:{self.number}")
        self.offers: list[tuple[str, tuple[int, int, int]]] = []
        self.token: str | None = None
        if AVAILABLE["orders"]:
            self.token = self._mint_token(getattr(options, "sim_url", "http://127.0.0.1:9100"))

    def _mint_token(self, sim_url: str) -> str | None:
        body = json.dumps({"sub": f"bench-traveler-{self.number}", "ttl_s": TOKEN_TTL_S})
        request = urllib.request.Request(
            f"{sim_url}/identity/token",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                token: str = json.load(response)["access_token"]
        except (OSError, ValueError, KeyError) as exc:
            self.environment.events.request.fire(
                request_type="POST",
                name="sim /identity/token",
                response_time=0,
                response_length=0,
                exception=exc,
                context={},
            )
            return None
        return token

    @tag("traveler", "search")
    @task(200)
    def search(self) -> None:
        trip = traffic.plan_trip(self.rng, _today())
        party = (trip.adults, trip.children, trip.infants)
        if trip.kind != "multi-city" and self.rng.random() < 0.5:
            url = "/v1/search?" + urlencode(traffic.search_query(trip))
            context = self.client.get(url, name="/v1/search", catch_response=True)
        else:
            body = traffic.search_body(trip)
            context = self.client.post(
                "/v1/search", json=body, name="/v1/search", catch_response=True
            )
        with context as response:
            if response.status_code != 200:
                response.failure(f"search answered {response.status_code}")
                return
            offers = response.json().get("offers", [])
            self.offers = [(offer["id"], party) for offer in offers[:KEPT_OFFERS]]

    @tag("traveler", "reprice")
    @task(20)
    def reprice(self) -> None:
        if not self.offers:
            return
        offer_id, _ = self.rng.choice(self.offers)
        with self.client.get(
            f"/v1/offers/{offer_id}", name="/v1/offers/[id]", catch_response=True
        ) as response:
            # 410: expired or sold out since the search: a normal answer, not a failure.
            if response.status_code in (200, 410):
                response.success()
            else:
                response.failure(f"re-price answered {response.status_code}")

    @tag("traveler", "book")
    @task(1)
    def book(self) -> None:
        if not (AVAILABLE["orders"] and self.token and self.offers):
            return
        offer_id, party = self.offers.pop(0)
        order_id = self._hold(offer_id, party)
        if order_id is not None and AVAILABLE["payments"]:
            self._pay(order_id)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Idempotency-Key": uuid.uuid4().hex}

    def _hold(self, offer_id: str, party: tuple[int, int, int]) -> str | None:
        body = {
            "offer_id": offer_id,
            "type": "hold",
            "passengers": traffic.passengers(*party, _today()),
        }
        with self.client.post(
            ORDERS_PATH, json=body, headers=self._auth(), name=ORDERS_PATH, catch_response=True
        ) as response:
            if response.status_code == 201:
                order_id: str = response.json()["id"]
                return order_id
            # 409 (seats gone, price changed) and 410 (offer expired): a traveler's bad luck.
            if response.status_code in (409, 410):
                response.success()
            else:
                response.failure(f"hold answered {response.status_code}")
        return None

    def _pay(self, order_id: str) -> None:
        with self.client.post(
            f"{ORDERS_PATH}/{order_id}/payments",
            json={"card_token": "tok_visa"},
            headers=self._auth(),
            name=f"{ORDERS_PATH}/[id]/payments",
            catch_response=True,
        ) as response:
            if response.status_code != 202:
                response.failure(f"payment answered {response.status_code}")


class MetasearchPartner(FastHttpUser):
    """A metasearch partner refreshing cached fares in bulk and fare calendars."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.rng = random.Random(f"{getattr(options, 'seed', 1)}:partner:{next(_seeds)}")
        self.headers = {"X-API-Key": getattr(options, "partner_key", "")}
        self.bulk_size = int(getattr(options, "bulk_size", 100))

    @tag("partner", "bulk")
    @task(1)
    def bulk(self) -> None:
        queries = traffic.bulk_queries(self.rng, _today(), self.bulk_size)
        body = {"queries": queries, "mode": "cached", "max_age_s": 3600}
        with self.client.post(
            "/v1/fares/bulk",
            json=body,
            headers=self.headers,
            name="/v1/fares/bulk",
            catch_response=True,
        ) as response:
            lines = (response.text or "").count("\n")
            if response.status_code != 200:
                response.failure(f"bulk answered {response.status_code}")
            elif lines != len(queries):
                response.failure(f"bulk answered {lines} lines for {len(queries)} queries")

    @tag("partner", "calendar")
    @task(3)
    def calendar(self) -> None:
        url = "/v1/fares/calendar?" + urlencode(traffic.calendar_query(self.rng, _today()))
        with self.client.get(
            url, headers=self.headers, name="/v1/fares/calendar", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"calendar answered {response.status_code}")
