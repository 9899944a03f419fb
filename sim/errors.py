"""What a simulated airline refuses, as REST_API.md spells it: an HTTP status and a code.

`AirlineError` is the one exception the airline services raise; the REST layer turns it into
`{"error": {"code": ..., "message": ...}}` (plus `price` for `price_changed`).
"""

from __future__ import annotations

from sim.fares import Money


class AirlineError(Exception):
    """A business or request error with the status and code the REST API answers."""

    def __init__(self, status: int, code: str, message: str, *, price: Money | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.price = price


def bad_request(message: str) -> AirlineError:
    return AirlineError(400, "bad_request", message)


def fare_not_found() -> AirlineError:
    return AirlineError(404, "fare_not_found", "not a fare this airline quoted")


def fare_expired() -> AirlineError:
    return AirlineError(410, "fare_expired", "the fare is past its valid_until")


def sold_out() -> AirlineError:
    return AirlineError(409, "sold_out", "fewer seats left than travellers")


def booking_not_found() -> AirlineError:
    return AirlineError(404, "booking_not_found", "no such booking")
