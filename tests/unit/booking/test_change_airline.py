"""An order whose airline's connector cannot change flights is told so, naming the airline (every
sim airline can: this is the answer for any other connector)."""

from __future__ import annotations

import pytest

from booking.change_airline import ChangeAirline
from kernel.errors import ChangeUnsupported
from tests.unit.booking.test_cancellation_terms import order


class _BooksOnly:
    """A connector with no SliceChanger methods (holds, tickets and cancels only)."""

    name = "rest-ba"


def test_a_connector_that_cannot_change_is_change_unsupported_naming_the_airline() -> None:
    airline = ChangeAirline({"rest-ba": _BooksOnly()}, timeout_s=1.0)  # type: ignore[dict-item]
    with pytest.raises(ChangeUnsupported) as raised:
        airline.changer(order())
    assert raised.value.extensions == {"airline": "rest-ba"}
    assert "rest-ba" in raised.value.detail
