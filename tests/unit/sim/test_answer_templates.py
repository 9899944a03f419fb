"""A shopping answer from its template is byte for byte the answer its front's builder writes,
a second, a minute or a sale later (new fare ids, expiry, prices), on every front."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pytest

from sim import rest
from sim.airline import Quote
from sim.answer_templates import AnswerTemplates
from sim.catalog import AirlineSpec
from sim.ndc import app as ndc_app
from sim.soap import app as soap_app
from sim.wire import JourneyRequest, ShoppingRequest, Travellers
from sim.world import World
from tests.unit.sim.conftest import FakeClock

Builder = Callable[[Sequence[Quote], AirlineSpec], bytes]
FRONTS: dict[str, tuple[AnswerTemplates, Builder]] = {
    "britannia": (rest._SHOPPING, rest._shopping_body),
    "liberty": (rest._SHOPPING, rest._shopping_body),
    "globetrotter": (rest._SHOPPING, rest._shopping_body),
    "nordic": (soap_app._SEARCHES, soap_app._search_body),
    "crimson": (ndc_app._SHOPPING, ndc_app._shopping_body),
}


def _request(days: int, **fields: object) -> Callable[[str], ShoppingRequest]:
    """The request from `origin` (Nordic flies from its hubs) to JFK, and back if asked."""
    round_trip = fields.pop("round_trip", False)

    def request(origin: str) -> ShoppingRequest:
        out = dt.date(2030, 3, 1) + dt.timedelta(days=days)
        journeys = [JourneyRequest(origin, "JFK", out)]
        if round_trip:
            journeys.append(JourneyRequest("JFK", origin, out + dt.timedelta(days=7)))
        return ShoppingRequest(journeys=tuple(journeys), **fields)  # type: ignore[arg-type]

    return request


REQUESTS = [
    _request(30),
    _request(2, cabin="C"),
    _request(45, round_trip=True, travellers=Travellers(ADT=2, CHD=1, INF=1)),
]


@pytest.mark.parametrize("slug", FRONTS)
@pytest.mark.parametrize("request_", REQUESTS, ids=["one-way", "soon-business", "family-return"])
def test_a_templated_answer_is_the_builders_answer_as_time_passes(
    slug: str, request_: Callable[[str], ShoppingRequest], clock: FakeClock
) -> None:
    templates, build = FRONTS[slug]
    airline = World(42, clock=clock).airlines[slug]
    shopping = request_("CPH" if slug == "nordic" else "LHR")

    answers = []
    for step in (dt.timedelta(0), dt.timedelta(seconds=1), dt.timedelta(minutes=3)):
        clock.advance(step)
        quotes = airline.shop(shopping)
        assert quotes
        answers.append(templates.answer(quotes, airline.spec))
        assert answers[-1] == build(quotes, airline.spec)

    assert len(set(answers)) == 3  # each with its own ids and expiry


def test_a_sale_makes_a_new_shape_not_a_stale_answer(clock: FakeClock) -> None:
    templates, build = FRONTS["liberty"]
    world = World(42, clock=clock)
    airline = world.airlines["liberty"]
    before = airline.shop(REQUESTS[0]("LHR"))
    templates.answer(before, airline.spec)
    legs = [(leg.flight, leg.date) for leg in before[0].journeys[0]]
    assert world.inventory.take(legs, "Y", 40)

    clock.advance(dt.timedelta(seconds=1))
    after = airline.shop(REQUESTS[0]("LHR"))

    assert [(q.price, q.seats_left) for q in after] != [(q.price, q.seats_left) for q in before]
    assert templates.answer(after, airline.spec) == build(after, airline.spec)
