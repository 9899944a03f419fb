"""The fan-out under one deadline, through `SearchService.search` with fake airlines."""

import asyncio
import datetime as dt
import itertools
import math
from typing import Any

import pytest
from prometheus_client import REGISTRY

from connectors.errors import ConnectorUnavailable
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from kernel.errors import ServiceUnavailable
from search.engine import AskOrder
from search.model import SearchRequest, SearchResponse
from search.service import SearchService
from tests.fakes import A_DAY_MS, HUNG_DEADLINE_MS, FakeConnector, offer, segment

# A search that waits for an airline hanging forever (`delay=math.inf`) hangs, and pytest-timeout
# fails it: the tests read the search's own report, never the clock. How close to the deadline a
# search answers is measured by bench/, not asserted here (deadlines: tests/fakes.py).
_ids = itertools.count()
FAIL_FAST = ResiliencePolicy(retries=0, min_calls=1, failure_rate_threshold=0.5, open_s=60)


def airline(prefix: str = "air", **fake: Any) -> FakeConnector:
    name = f"{prefix}-{next(_ids)}"
    fake.setdefault("offers", [offer("500.00", segment(f"{prefix[:2].upper()}1"), source=name)])
    return FakeConnector(name, **fake)


def resilient(fake: FakeConnector, policy: ResiliencePolicy | None = None) -> ResilientConnector:
    return ResilientConnector(fake, policy or ResiliencePolicy(retries=0))


def service(*connectors: ResilientConnector, deadline_ms: int = A_DAY_MS) -> SearchService:
    return SearchService(connectors, default_deadline_ms=deadline_ms)


def request(**fields: Any) -> SearchRequest:
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 5, 1)),), passengers=Passengers(), **fields
    )


def statuses(response: SearchResponse) -> dict[str, str]:
    return {c.name: c.status for c in response.meta.connectors}


async def test_search_merges_the_offers_of_every_airline() -> None:
    ba, aa = airline("ba"), airline("aa", delay=0.01)

    response = await service(resilient(ba), resilient(aa)).search(request())

    assert sorted(o.source for o in response.offers) == sorted([ba.name, aa.name])
    assert statuses(response) == {ba.name: "ok", aa.name: "ok"}
    assert [c.offers for c in response.meta.connectors] == [1, 1]
    assert response.meta.partial is False
    assert response.meta.cache == "miss"
    assert response.search_id.startswith("srch_")
    assert len(response.search_id) > 15


async def test_search_returns_partial_results_when_one_airline_hangs() -> None:
    fast, hung = airline("ba"), airline("aa", delay=math.inf)

    response = await service(resilient(fast), resilient(hung), deadline_ms=HUNG_DEADLINE_MS).search(
        request()
    )

    assert statuses(response) == {fast.name: "ok", hung.name: "timeout"}
    assert [o.source for o in response.offers] == [fast.name]
    assert response.meta.partial is True
    assert hung.cancelled >= 1


async def test_request_deadline_overrides_the_default() -> None:
    hung = airline(delay=math.inf)

    # Under the default a search would outlast pytest-timeout: it answers by the request's 0.1 s.
    svc = service(resilient(hung), deadline_ms=A_DAY_MS)
    response = await svc.search(request(deadline_ms=100))

    assert statuses(response) == {hung.name: "timeout"}
    assert hung.cancelled >= 1


async def test_search_answers_by_the_deadline_when_a_connector_ignores_cancellation() -> None:
    stubborn = airline(delay=math.inf, ignore_cancel_s=0.5)
    svc = service(resilient(stubborn), resilient(fast := airline()), deadline_ms=HUNG_DEADLINE_MS)

    response = await svc.search(request())

    # The stubborn call still runs (an orphan) when the answer is out: the search did not wait.
    assert svc.fan_out.orphans == 1
    assert statuses(response) == {stubborn.name: "timeout", fast.name: "ok"}
    await svc.close()
    assert svc.fan_out.orphans == 0


async def test_failing_airline_reports_error_and_the_others_answer() -> None:
    broken = airline("ba", fail_with=ConnectorUnavailable("HTTP 503"))
    buggy = airline("lh", fail_with=RuntimeError("bug"))
    working = airline("aa")

    response = await service(resilient(broken), resilient(buggy), resilient(working)).search(
        request()
    )

    assert statuses(response) == {broken.name: "error", buggy.name: "error", working.name: "ok"}
    assert [o.source for o in response.offers] == [working.name]
    assert response.meta.partial is True


async def test_open_circuit_is_reported_without_asking_the_airline() -> None:
    broken, working = airline("ba", fail_with=ConnectorUnavailable), airline("aa")
    svc = service(resilient(broken, FAIL_FAST), resilient(working))
    await svc.search(request())

    response = await svc.search(request())

    assert statuses(response) == {broken.name: "circuit_open", working.name: "ok"}
    assert broken.search_calls == 1
    assert response.meta.partial is True


async def test_search_is_unavailable_when_no_serving_airline_can_be_asked() -> None:
    broken = airline(fail_with=ConnectorUnavailable)
    svc = service(resilient(broken, FAIL_FAST))
    first = await svc.search(request())
    assert (statuses(first), first.offers) == ({broken.name: "error"}, ())

    with pytest.raises(ServiceUnavailable, match="circuit_open"):
        await svc.search(request())


async def test_full_bulkhead_skips_the_airline() -> None:
    busy, other = airline("ba", delay=0.05), airline("aa")
    bulkhead = ResiliencePolicy(retries=0, max_concurrency=1)
    svc = service(resilient(busy, bulkhead), resilient(other))

    first, second = await asyncio.gather(svc.search(request()), svc.search(request()))

    assert sorted([statuses(first)[busy.name], statuses(second)[busy.name]]) == ["ok", "skipped"]
    assert statuses(first)[other.name] == statuses(second)[other.name] == "ok"
    assert busy.search_calls == 1


async def test_no_airline_serving_the_route_is_an_empty_answer() -> None:
    elsewhere = airline(serves_airports={"FRA", "MUC"})

    response = await service(resilient(elsewhere)).search(request())

    assert response.offers == ()
    assert response.meta.connectors == ()
    assert response.meta.partial is False
    assert elsewhere.search_calls == 0


async def test_airlines_not_serving_the_route_are_left_out_of_the_report() -> None:
    elsewhere, serving = airline(serves_airports={"FRA", "MUC"}), airline()

    response = await service(resilient(elsewhere), resilient(serving)).search(request())

    assert statuses(response) == {serving.name: "ok"}
    assert response.meta.partial is False


async def test_each_search_counts_one_outcome_per_connector() -> None:
    ok, broken = airline(), airline(fail_with=ConnectorUnavailable)
    svc = service(resilient(ok), resilient(broken))

    await svc.search(request())
    await svc.search(request())

    def count(name: str, status: str) -> float:
        labels = {"connector": name, "status": status}
        return REGISTRY.get_sample_value("skyfare_connector_requests_total", labels) or 0.0

    assert (count(ok.name, "ok"), count(broken.name, "error")) == (2.0, 2.0)
    durations = REGISTRY.get_sample_value(
        "skyfare_connector_request_duration_seconds_count", {"connector": ok.name}
    )
    assert durations == 2.0


async def test_offers_are_ranked_across_airlines() -> None:
    a_name, b_name = "rank-a", "rank-b"
    a = FakeConnector(
        a_name,
        offers=[
            offer("600.00", segment("BA1"), source=a_name),
            offer("300.00", segment("BA2"), source=a_name),
        ],
    )
    b = FakeConnector(b_name, offers=[offer("550.00", segment("BA1"), source=b_name),
                                      offer("400.00", segment("AA9"), source=b_name)])  # fmt: skip

    response = await service(resilient(a), resilient(b)).search(request(limit=2))

    assert [(str(o.total_amount), o.source) for o in response.offers] == [
        ("300.00", a_name),
        ("400.00", b_name),
    ]


class Recorded(FakeConnector):
    """A fake airline that notes when it is asked, in `asked`."""

    def __init__(self, name: str, asked: list[str]) -> None:
        super().__init__(name, offers=[offer("500.00", segment("BA1"), source=name)])
        self._asked = asked

    async def search(self, query: Any, *, timeout: float) -> Any:
        self._asked.append(self.name)
        return await super().search(query, timeout=timeout)


async def test_the_slowest_airlines_are_asked_first_and_reported_in_configuration_order() -> None:
    asked: list[str] = []
    fakes = [Recorded(name, asked) for name in ("quick", "slow", "unheard", "middling")]
    searching = service(*map(resilient, fakes))
    order = searching.fan_out.ask_order
    for name, seconds in (("quick", 0.04), ("slow", 0.07), ("middling", 0.05)):
        order.seen(name, seconds)

    answer = await searching.search(request())

    assert asked == ["unheard", "slow", "middling", "quick"]
    assert [c.name for c in answer.meta.connectors] == ["quick", "slow", "unheard", "middling"]


def test_the_ask_order_follows_an_airline_that_slows_down() -> None:
    order = AskOrder()
    order.seen("a", 0.05)
    order.seen("b", 0.06)
    for _ in range(5):
        order.seen("a", 0.2)

    assert [c.name for c in order.first_slowest([resilient(FakeConnector(n)) for n in "ba"])] == [
        "a",
        "b",
    ]
