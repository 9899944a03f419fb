"""How an order's history tells its money going back: each step's reason (our sentence, whose
shape gives the step its code, booking/sql/0150) and its details (the amounts and what each had
paid for, the note), built from the same values, in one place (pure).

Money is named as payment/ledger.py `describe` words it: `(charge id, amount)` parts in one
currency, "80.00 USD to och_…, 9.28 USD to pay_…".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from booking.history_details import (
    HistoryAmount,
    HistoryDetails,
    HistoryStep,
    amounts_of,
    charge_of,
    noted,
)
from payment.ledger import NOTHING, describe, describe_given

# How the order's history says money the gateway gave back itself (its dashboard), not our refund.
BY_GATEWAY = "refunded by the gateway"

Parts = Sequence[tuple[str, Decimal]]
Given = Sequence[tuple[str, Decimal, Decimal]]  # with what the gateway gave back itself


def refund_owed(parts: Parts, currency: str, *, why: str | None = None) -> HistoryStep:
    """`refund_owed`: the parts owed back (`why`: what owes them, e.g. a cheaper change)."""
    said = f"refund owed: {describe(list(parts), currency)}"
    return HistoryStep(
        said if why is None else f"{why}: {said}",
        HistoryDetails(amounts=amounts_of(parts, currency)),
    )


def refunded(why: str, parts: Parts, currency: str) -> HistoryStep:
    """`refunded`: the parts given back, after `why` ("the order was cancelled"), all of them by
    us (`refunded_given` with nothing given back by the gateway)."""
    return refunded_given(why, [(charge, amount, NOTHING) for charge, amount in parts], currency)


def refunded_given(why: str, parts: Given, currency: str) -> HistoryStep:
    """`refunded` for a cancellation's parts, `(charge id, amount, by_gateway)`: each amount the
    gateway's dashboard gave some of itself says how much (payment/sql/0214), in the reason and
    in its details."""
    amounts = tuple(
        HistoryAmount(str(amount), currency, charge_of(charge), str(by) if by > 0 else None)
        for charge, amount, by in parts
    )
    return HistoryStep(
        f"{why}: refunded {describe_given(list(parts), currency)}",
        HistoryDetails(amounts=amounts, note=why),
    )


def refunded_by_gateway(parts: Parts, currency: str) -> HistoryStep:
    """`refunded_by_gateway`: the gateway gave the parts back itself (a refund at its dashboard),
    nothing asked by us: "refunded by the gateway: 612.40 USD to pay_…", with the amounts in its
    details as every other money step has them (booking/sql/0140's bare "refunded by the gateway"
    is the step before payment/sql/0215, which codes this shape too)."""
    return HistoryStep(
        f"{BY_GATEWAY}: {describe(list(parts), currency)}",
        HistoryDetails(amounts=amounts_of(parts, currency)),
    )


def refund_retrying(parts: Parts, currency: str, *, gateway_said: str) -> HistoryStep:
    """`refund_retrying`: the gateway refused the parts (`gateway_said`: its code, and what more
    we learnt of it); they are asked again."""
    return HistoryStep(
        f"refund of {describe(list(parts), currency)} refused by the payment gateway"
        f" ({gateway_said}); it is retried",
        HistoryDetails(amounts=amounts_of(parts, currency)),
    )


def nothing_to_refund(why: str, because: str) -> HistoryStep:
    """`nothing_to_refund`: `why` ("the order was cancelled") gives nothing back, `because`."""
    return HistoryStep(f"{why}: nothing to refund ({because})", noted(because))
