"""The sim gateway's books (sim/payments/ledger.py): what each card token does, refund rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sim.payments.ledger import CreateIntent, CreateRefund, GatewayError, Ledger, parse_amount


def new_intent(ledger: Ledger, token: str = "tok_visa", amount: str = "100.00") -> str:
    intent, _, _ = ledger.create_intent(CreateIntent(amount, "usd", token, {"payment_id": "p"}))
    return intent.id


@pytest.mark.parametrize(
    ("token", "outcome", "slow"),
    [
        ("tok_visa", "succeed", False),
        ("tok_declined", "decline", False),
        ("tok_slow", "succeed", True),
        ("tok_fail_capture", "fail_capture", False),
    ],
)
def test_each_card_token_has_its_outcome(token: str, outcome: str, slow: bool) -> None:
    intent, got, got_slow = Ledger().create_intent(CreateIntent("1.00", "EUR", token))
    assert (intent.status, got, got_slow) == ("processing", outcome, slow)


def test_an_unknown_card_token_is_a_card_error() -> None:
    with pytest.raises(GatewayError) as caught:
        Ledger().create_intent(CreateIntent("1.00", "EUR", "tok_unknown"))
    assert (caught.value.status, caught.value.type) == (422, "card_error")


@pytest.mark.parametrize("raw", ["0", "-1.00", "1.001", "NaN", "Infinity", "1e9", "abc"])
def test_bad_amounts_are_refused(raw: str) -> None:
    with pytest.raises(GatewayError):
        parse_amount(raw, "amount")


def test_an_amount_is_kept_to_the_cent() -> None:
    assert str(parse_amount("612.4", "amount")) == "612.40"


def test_a_success_captures_the_whole_amount_and_raises_one_event() -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger)
    event = ledger.settle(intent_id, "succeed")
    assert event.type == "payment_intent.succeeded"
    assert ledger.intents[intent_id].amount_received == Decimal("100.00")
    assert event.data["object"]["status"] == "succeeded"


@pytest.mark.parametrize(
    ("outcome", "code"), [("decline", "card_declined"), ("fail_capture", "capture_failed")]
)
def test_a_failure_captures_nothing(outcome: str, code: str) -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger)
    event = ledger.settle(intent_id, outcome)  # type: ignore[arg-type]
    assert event.type == "payment_intent.payment_failed"
    intent = ledger.intents[intent_id]
    assert intent.amount_received == 0
    assert intent.last_payment_error is not None
    assert intent.last_payment_error.code == code


def test_refunds_add_up_to_at_most_what_was_captured() -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger)
    ledger.settle(intent_id, "succeed")
    ledger.refund(CreateRefund(intent_id, "40.00"))
    with pytest.raises(GatewayError) as caught:
        ledger.refund(CreateRefund(intent_id, "60.01"))
    assert caught.value.code == "amount_too_large"
    refund, event = ledger.refund(CreateRefund(intent_id))  # the rest
    assert refund.amount == Decimal("60.00")
    assert event.data["object"]["refunded"] is True
    with pytest.raises(GatewayError) as caught:
        ledger.refund(CreateRefund(intent_id))
    assert caught.value.code == "charge_already_refunded"


def test_an_intent_that_was_not_captured_cannot_be_refunded() -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger)
    with pytest.raises(GatewayError) as caught:
        ledger.refund(CreateRefund(intent_id))
    assert caught.value.code == "charge_not_captured"


def test_events_are_snapshots_that_later_changes_do_not_alter() -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger)
    succeeded = ledger.settle(intent_id, "succeed")
    ledger.refund(CreateRefund(intent_id))
    assert succeeded.data["object"]["amount_refunded"] == "0.00"


def test_ids_never_repeat_across_restarts_of_the_sim() -> None:
    # Skyfare dedups webhooks on event ids and keys payments by intent ids, in a database that
    # outlives the sim: a restarted sim must not reuse them.
    assert new_intent(Ledger()) != new_intent(Ledger())


def test_a_refund_refusal_set_by_the_control_api_refuses_once_and_moves_nothing() -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger)
    ledger.settle(intent_id, "succeed")
    ledger.refusals[intent_id] = ["charge_disputed"]
    with pytest.raises(GatewayError) as caught:
        ledger.refund(CreateRefund(intent_id, "40.00"))
    assert (caught.value.status, caught.value.code) == (422, "charge_disputed")
    assert ledger.intents[intent_id].amount_refunded == 0
    refund, _ = ledger.refund(CreateRefund(intent_id, "40.00"))
    assert refund.amount == Decimal("40.00")
