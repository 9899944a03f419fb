"""Prometheus metrics of seat maps and seat choices (default registry; low-cardinality labels).

- `skyfare_seat_maps_total{cache}`: `GET /v1/seat_maps` answers, `hit` (from the few-seconds
  cache) or `miss` (asked of the airline, or shared with a concurrent ask).
- `skyfare_seat_choices_total{outcome}`: `POST /v1/orders/{id}/seats`: `chosen`, `taken` (409:
  another traveler holds the seat), `restricted` (422: a rule closes it to the passenger),
  `refused` (409/422: the order or its airline cannot change seats now, or it is within 24 h
  of departure), `charged` (202: a paid order's change waits for its card charge). Seats asked
  for with a new order (`POST /v1/orders` `services`) count the same way.
"""

from __future__ import annotations

from typing import Literal, get_args

from prometheus_client import Counter

from kernel.counters import start_series

ChoiceOutcome = Literal["chosen", "taken", "restricted", "refused", "charged"]

SEAT_MAPS = Counter("skyfare_seat_maps_total", "Seat map answers, by cache outcome.", ["cache"])
CHOICES = Counter("skyfare_seat_choices_total", "Seat choices on orders, by outcome.", ["outcome"])


def seat_map(hit: bool) -> None:
    SEAT_MAPS.labels("hit" if hit else "miss").inc()


def choice(outcome: ChoiceOutcome) -> None:
    CHOICES.labels(outcome).inc()


# Each series at 0 from the start of the component that counts it (not at import: every process
# imports this module, and the relay, worker and analytics answer no seat maps and take no seat
# choices), so a rate() over it sees the first increment.
def start_seat_maps() -> None:
    """This process answers seat maps (`seats.service.SeatMapService`)."""
    start_series(SEAT_MAPS, ("hit", "miss"))


def start_choices() -> None:
    """This process takes seat choices on orders (`booking.seats`, `booking.seat_booking`)."""
    start_series(CHOICES, get_args(ChoiceOutcome))
