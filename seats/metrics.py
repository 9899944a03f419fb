"""Prometheus metrics of seat maps and seat choices (default registry; low-cardinality labels).

- `skyfare_seat_maps_total{cache}`: `GET /v1/seat_maps` answers, `hit` (from the few-seconds
  cache) or `miss` (asked of the airline, or shared with a concurrent ask).
- `skyfare_seat_choices_total{outcome}`: `POST /v1/orders/{id}/seats`: `chosen`, `taken` (409:
  another traveler holds the seat), `restricted` (422: a rule closes it to the passenger),
  `refused` (409: the order or its airline cannot change seats now).
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

ChoiceOutcome = Literal["chosen", "taken", "restricted", "refused"]

SEAT_MAPS = Counter("skyfare_seat_maps_total", "Seat map answers, by cache outcome.", ["cache"])
CHOICES = Counter("skyfare_seat_choices_total", "Seat choices on orders, by outcome.", ["outcome"])


def seat_map(hit: bool) -> None:
    SEAT_MAPS.labels("hit" if hit else "miss").inc()


def choice(outcome: ChoiceOutcome) -> None:
    CHOICES.labels(outcome).inc()


# Every series from the first scrape, at 0, so a rate() over it never starts from nothing.
for _cache in ("hit", "miss"):
    SEAT_MAPS.labels(_cache)
for _outcome in ("chosen", "taken", "restricted", "refused"):
    CHOICES.labels(_outcome)
