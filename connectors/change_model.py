"""What changing one slice of a booking looks like to the booking core (the airline's reshop).

A `SliceChangeOffer` is one way the slice could be flown instead: the new slice, the airline's
fare for it, and the booking's total before and after (the airline prices the whole booking:
what is kept is not re-priced). `supplier_fare_id` is what `SliceChanger.change_slice` takes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from connectors.model import Conditions, Slice


class SliceChangeOffer(msgspec.Struct, frozen=True, kw_only=True):
    supplier_fare_id: str
    slice: Slice
    fare_amount: Decimal  # the new slice's own fare, taxes included
    tax_difference: Decimal  # the booking's taxes with this slice minus as booked
    old_total: Decimal  # the booking as it is
    new_total: Decimal  # the booking with this slice instead
    currency: str
    conditions: Conditions
    seats_remaining: int
    expires_at: dt.datetime  # UTC: the airline's quote validity
