"""A search fans out to REST and NDC airlines alike and merges their offers into one answer."""

from __future__ import annotations

import datetime as dt

from connectors.ndc import NdcConnector
from connectors.registry import build_connectors
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.service import SearchService
from search.validation import parse_search_query
from tests.integration.ndc.conftest import CRIMSON, TIMEOUT
from tests.support.sim import SimHandle, fast_profiles, running_sim


async def test_a_search_merges_ndc_offers_with_rest_offers(sim: SimHandle) -> None:
    today = dt.datetime.now(dt.UTC).date()
    params = {
        "origin": "LHR",
        "destination": "JFK",
        "departure_date": (today + dt.timedelta(days=30)).isoformat(),
        "limit": "500",
    }
    ndc = ResilientConnector(
        NdcConnector("ndc-crimson", sim.url + CRIMSON.base_path, max_timeout_s=TIMEOUT),
        ResiliencePolicy(),
    )
    async with running_sim(profiles=fast_profiles()) as rest_sim:
        rest_settings = [s for s in rest_sim.connector_settings() if s.kind == "rest"]
        connectors = [*build_connectors(rest_settings), ndc]
        for connector in connectors:
            await connector.start()
        try:
            # Every airline answers: a deadline no busy machine reaches costs nothing, where
            # 500 ms could time crimson out (as 300 ms once timed out every airline).
            service = SearchService(connectors, default_deadline_ms=10_000)
            response = await service.search(parse_search_query(params.items(), today=today))
        finally:
            for connector in connectors:
                await connector.close()

    sources = {offer.source for offer in response.offers}
    assert "ndc-crimson" in sources
    assert any(source.startswith("rest-") for source in sources)
    assert {c.name: c.status for c in response.meta.connectors}["ndc-crimson"] == "ok"
    prices = [offer.total_amount for offer in response.offers]
    assert prices == sorted(prices)  # one ranking across protocols
