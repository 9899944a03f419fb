"""A cached answer lives no longer than its offers: served fresh or stale after the first of them
expired, it would show fares that re-pricing and booking refuse (410)."""

from __future__ import annotations

import datetime as dt

import msgspec

from cache.policy import TtlPolicy
from connectors.model import Offer, SliceQuery
from search.caching import to_entry
from search.model import ConnectorReport, SearchRequest
from tests.fakes import offer

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
# Far out: fresh 15 min, then stale for 45 more (the defaults).
REQUEST = SearchRequest(slices=(SliceQuery("LHR", "JFK", dt.date(2027, 2, 1)),))
POLICY = TtlPolicy()
REPORTS = (ConnectorReport("fake", "ok", 2, 10),)


def _expiring(price: str, minutes: int) -> Offer:
    return msgspec.structs.replace(offer(price), expires_at=NOW + dt.timedelta(minutes=minutes))


def _window(*offers: Offer) -> tuple[float, float]:
    entry, _ = to_entry(offers, REPORTS, request=REQUEST, policy=POLICY, now=NOW.timestamp())
    return entry.fresh_until - NOW.timestamp(), entry.stale_until - NOW.timestamp()


def test_an_answer_is_not_served_stale_past_its_first_offer_expiry() -> None:
    fresh, stale = _window(_expiring("500.00", 30), _expiring("600.00", 50))

    assert (fresh, stale) == (900.0, 30 * 60.0)


def test_an_answer_whose_offers_expire_within_its_fresh_ttl_is_fresh_only_until_then() -> None:
    fresh, stale = _window(_expiring("500.00", 10))

    assert (fresh, stale) == (10 * 60.0, 10 * 60.0)


def test_offers_valid_beyond_the_stale_window_leave_the_policy_as_it_is() -> None:
    assert _window(_expiring("500.00", 120)) == (900.0, 3600.0)
