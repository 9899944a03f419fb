"""The card's last four digits are kept whichever comes first: the gateway's answer to the
intent's creation (which names the card) or the intent's webhook (which records its id). A
webhook that won the race used to leave no digits, and the refund mail said "your card"."""

from __future__ import annotations

from booking.pg import Database
from payment.repository import PgPaymentRepository
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order
from tests.integration.payment.test_settlement import pay


async def test_the_card_is_kept_when_the_webhook_recorded_the_intent_first(
    payments: Payments, db: Database, airline: TicketingAirline
) -> None:
    order = await held_order(db, airline)
    payment_id = await pay(payments, order)
    intent_id = await db.pool.fetchval(
        "SELECT gateway_intent_id FROM payments WHERE id = $1", payment_id
    )
    assert intent_id is not None
    # As the webhook leaves it when it lands before the creation's answer is written.
    await db.pool.execute("UPDATE payments SET card_last4 = NULL WHERE id = $1", payment_id)

    repository = PgPaymentRepository(db)
    await repository.set_intent(payment_id, intent_id, card_last4="4242")
    await repository.set_intent(payment_id, "pi_another", card_last4="0000")  # not its intent

    row = await db.pool.fetchrow(
        "SELECT gateway_intent_id, card_last4 FROM payments WHERE id = $1", payment_id
    )
    assert (row["gateway_intent_id"], row["card_last4"]) == (intent_id, "4242")
