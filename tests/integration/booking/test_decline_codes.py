"""Decline codes as fields: stored by the writer that holds the code on each history row that
records a declined card (booking/sql/0143_decline_codes_written.sql) and, while its payment status
is `failed`, named on the order; `decline_code_in()` (0142), which derived them from the reasons
before, still reads our writers' reasons for the release before 0143 (test_decline_codes_migration
.py: the rows written before, and beside, this release)."""

from __future__ import annotations

import asyncpg
import msgspec
import pytest

from booking.repository import PgOrderRepository
from booking.state import Change, IllegalTransition, check
from tests.support.orders import HOLD, new_order

# The reason of each writer that records a declined card, and a few that record none.
REASONS: list[tuple[str, str | None]] = [
    ("card refused: insufficient_funds", "insufficient_funds"),  # payment/service.py
    ("payment failed: generic_decline", "generic_decline"),  # payment/settlement.py
    ("payment failed: capture_failed", "capture_failed"),
    (  # booking/change_store.py's history row of booking/change_money.py's compensation
        "change och_1 failed: the card payment of 40.00 USD failed (do_not_honor); the airline"
        " put the original flights back",
        "do_not_honor",
    ),
    ("change och_1 failed: the card payment of 40.00 USD was never made", None),
    ("change och_1 failed: the airline refused: sold out", None),
    (  # a refund the gateway refused is not a declined card
        "refund of 9.28 USD to pay_8d refused by the payment gateway (card_declined);"
        " it is retried",
        None,
    ),
    ("payment started", None),
]

PAY = Change(
    from_status=("held",),
    from_payment=("unpaid", "failed"),
    to_payment="processing",
    reason="payment started",
)


def declined(code: str, *, said: str | None = None) -> Change:
    """A webhook's decline as payment/settlement.py writes it; `said`: another reason."""
    return Change(
        from_status=("held",),
        from_payment=("processing",),
        to_payment="failed",
        reason=said or f"payment failed: {code}",
        decline_code=code,
    )


@pytest.mark.parametrize(("reason", "code"), REASONS)
async def test_each_declined_reason_gives_its_code(
    booking_pool: asyncpg.Pool, reason: str, code: str | None
) -> None:
    assert await booking_pool.fetchval("SELECT decline_code_in($1)", reason) == code


async def paying(repository: PgOrderRepository) -> str:
    """A held order whose card payment has started (`processing`): its id."""
    order = await repository.create(new_order(), actor="alice")
    await repository.transition(order.id, HOLD, actor="booking")
    await repository.transition(order.id, PAY, actor="alice")
    return order.id


async def test_an_order_names_the_decline_of_its_failed_payment_until_it_is_paid_again(
    repository: PgOrderRepository,
) -> None:
    order_id = await paying(repository)
    moved = await repository.transition(order_id, declined("do_not_honor"), actor="payments")

    assert moved is not None
    assert moved.payment_decline_code == "do_not_honor"  # as returned by the change itself
    got = await repository.get(order_id)
    assert got is not None
    assert got.payment_decline_code == "do_not_honor"
    history = await repository.history(order_id)
    assert [h.decline_code for h in history] == [None, None, None, "do_not_honor"]

    retried = await repository.transition(order_id, PAY, actor="alice")
    assert retried is not None
    assert retried.payment_decline_code is None
    again = await repository.transition(order_id, declined("insufficient_funds"), actor="payments")
    assert again is not None
    assert again.payment_decline_code == "insufficient_funds"  # the latest failure's
    cancel = Change(from_status=("held",), to_status="cancelled", reason="cancelled by traveler")
    cancelled = await repository.transition(order_id, cancel, actor="alice")
    assert cancelled is not None
    assert (cancelled.payment_status, cancelled.payment_decline_code) == (
        "failed",
        "insufficient_funds",
    )  # a later step that keeps the payment failed keeps its code


async def test_the_order_names_the_code_its_writer_stored_not_what_the_reason_says(
    repository: PgOrderRepository,
) -> None:
    order_id = await paying(repository)
    moved = await repository.transition(
        order_id, declined("expired_card", said="payment failed: generic_decline"), actor="p"
    )

    assert moved is not None
    assert moved.payment_decline_code == "expired_card"
    got = await repository.get(order_id)
    assert got is not None
    assert got.payment_decline_code == "expired_card"
    history = await repository.history(order_id)
    assert history[-1].decline_code == "expired_card"


@pytest.mark.parametrize("code", ["N7", "Do Not Honor", "card-declined", "insufficient_funds"])
async def test_a_decline_code_of_any_shape_is_kept_on_the_order_and_its_history(
    repository: PgOrderRepository, code: str
) -> None:
    order_id = await paying(repository)
    await repository.transition(order_id, declined(code), actor="payments")

    got = await repository.get(order_id)
    assert got is not None
    assert got.payment_decline_code == code
    assert (await repository.history(order_id))[-1].decline_code == code


def test_only_a_move_into_payment_failed_records_a_decline_code() -> None:
    with pytest.raises(IllegalTransition):
        check(msgspec.structs.replace(PAY, decline_code="generic_decline"))
