"""The exception tree of the airline boundary.

Every connector translates what its airline (or the network) does wrong into one of these, in one
place (`raise ... from exc`), so the search engine and the booking core never see OSError, zeep or
lxml errors:

- `ConnectorError` — base; anything that went wrong talking to an airline.
  - `ConnectorTimeout` — no answer within the time we allowed.
  - `ConnectorUnavailable` — network failure, 5xx, an answer we cannot parse.
  - `CircuitOpen` — the breaker refused the call without asking the airline.
  - `BulkheadFull` — too many calls in flight to this airline; the call was not made.
  - `SupplierRejected` — the airline answered and said no (a business error):
    - `OfferNotFound`, `OfferExpired`, `SoldOut`, `PriceChanged`, `HoldNotFound`, `InvalidRequest`.
"""

from __future__ import annotations

from decimal import Decimal


class ConnectorError(Exception):
    """An airline call failed."""

    status = "error"


class ConnectorTimeout(ConnectorError):
    status = "timeout"


class ConnectorUnavailable(ConnectorError):
    status = "error"


class CircuitOpen(ConnectorError):
    status = "circuit_open"


class BulkheadFull(ConnectorError):
    status = "skipped"


class SupplierRejected(ConnectorError):
    """The airline understood the request and refused it; retrying will not help."""


class OfferNotFound(SupplierRejected):
    pass


class OfferExpired(SupplierRejected):
    pass


class SoldOut(SupplierRejected):
    """Not enough seats left for the passengers of the offer."""


class PriceChanged(SupplierRejected):
    def __init__(self, message: str, *, new_amount: Decimal, currency: str) -> None:
        super().__init__(message)
        self.new_amount = new_amount
        self.currency = currency


class HoldNotFound(SupplierRejected):
    pass


class InvalidRequest(SupplierRejected):
    """The airline rejected our request as malformed: a bug on our side, or an unsupported query."""


class SeatUnavailable(SupplierRejected):
    """Someone else holds the seat (or it is blocked): the message names it."""


class SeatRestricted(SupplierRejected):
    """The passenger may not sit there; `rule` names why (e.g. `exit_row_child`)."""

    def __init__(self, message: str, *, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule


class SeatMapsUnsupported(SupplierRejected):
    """The airline (or this connector) offers no seat maps: travelers see none, not an error."""


class ChangeUnsupported(SupplierRejected):
    """The airline (or this connector) cannot change a booked journey."""


class NotChangeable(SupplierRejected):
    """The booking's fare conditions do not allow changes."""


class ChangeNotFound(SupplierRejected):
    """The airline knows no change by that reference on the booking (nothing to undo)."""
