"""The sim gateway's books (sim/payments/ledger.py): what each card token does, refund rules."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import msgspec
import pytest

from sim.payments.ledger import (
    CancelIntent,
    ChallengeAnswered,
    CreateIntent,
    CreateRefund,
    GatewayError,
    Ledger,
    parse_amount,
)


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


def _challenged(ledger: Ledger, return_url: str | None = "https://app.example/trips/o") -> str:
    request = CreateIntent("100.00", "usd", "tok_3ds_required", return_url=return_url)
    intent, outcome, _ = ledger.create_intent(request, lambda id_: f"https://sim/challenge/{id_}")
    assert outcome == "challenge"
    return intent.id


def test_a_3ds_card_requires_action_with_its_challenge_page_and_the_way_back() -> None:
    ledger = Ledger()
    intent = ledger.intents[_challenged(ledger)]
    assert intent.status == "requires_action"
    assert intent.next_action is not None
    redirect = intent.next_action.redirect_to_url
    assert (intent.next_action.type, redirect.url) == (
        "redirect_to_url",
        f"https://sim/challenge/{intent.id}",
    )
    assert redirect.return_url == "https://app.example/trips/o"


def test_a_completed_challenge_goes_on_as_a_visa_and_a_failed_one_fails_authentication() -> None:
    ledger = Ledger()
    completed, failed = _challenged(ledger), _challenged(ledger)
    assert ledger.answer_challenge(completed, "complete") is None
    assert (ledger.intents[completed].status, ledger.intents[completed].next_action) == (
        "processing",
        None,
    )
    event = ledger.answer_challenge(failed, "fail")
    assert event is not None
    assert event.type == "payment_intent.payment_failed"
    error = ledger.intents[failed].last_payment_error
    assert error is not None
    assert error.code == "payment_intent_authentication_failure"


@pytest.mark.parametrize(("first", "second"), [("complete", "fail"), ("fail", "complete")])
def test_a_second_answer_to_a_challenge_changes_nothing(first: str, second: str) -> None:
    ledger = Ledger()
    intent_id = _challenged(ledger)
    ledger.answer_challenge(intent_id, first)  # type: ignore[arg-type]
    before = msgspec.json.encode(ledger.intents[intent_id])
    with pytest.raises(ChallengeAnswered):
        ledger.answer_challenge(intent_id, second)  # type: ignore[arg-type]
    assert msgspec.json.encode(ledger.intents[intent_id]) == before


def test_a_card_without_3ds_cannot_be_answered_a_challenge() -> None:
    ledger = Ledger()
    with pytest.raises(ChallengeAnswered):
        ledger.answer_challenge(new_intent(ledger), "complete")


@pytest.mark.parametrize("url", ["/trips/o", "javascript:alert(1)", "ftp://x/y", "https://"])
def test_a_return_url_must_be_an_absolute_web_address(url: str) -> None:
    with pytest.raises(GatewayError) as caught:
        _challenged(Ledger(), url)
    assert (caught.value.status, caught.value.param) == (422, "return_url")


def test_an_intent_awaiting_its_challenge_is_canceled_and_answers_no_challenge_after() -> None:
    ledger = Ledger()
    intent_id = _challenged(ledger)
    intent, event = ledger.cancel(intent_id, CancelIntent("abandoned"))
    assert (intent.status, intent.next_action, intent.cancellation_reason) == (
        "canceled",
        None,
        "abandoned",
    )
    assert intent.canceled_at is not None
    assert event.type == "payment_intent.canceled"
    assert event.data["object"]["id"] == intent_id
    assert event.data["object"]["status"] == "canceled"
    with pytest.raises(ChallengeAnswered):
        ledger.answer_challenge(intent_id, "complete")
    assert ledger.intents[intent_id].amount_received == Decimal("0.00")


def test_a_declined_intent_may_be_canceled() -> None:
    ledger = Ledger()
    intent_id = new_intent(ledger, "tok_declined")
    ledger.settle(intent_id, "decline")
    intent, _ = ledger.cancel(intent_id, CancelIntent())
    assert intent.status == "canceled"


def _charging(ledger: Ledger) -> str:
    """A challenge completed: the intent is charging (`processing`)."""
    intent_id = _challenged(ledger)
    ledger.answer_challenge(intent_id, "complete")
    return intent_id


def _succeeded(ledger: Ledger) -> str:
    intent_id = _charging(ledger)
    ledger.settle(intent_id, "succeed")
    return intent_id


def _canceled(ledger: Ledger) -> str:
    intent_id = _challenged(ledger)
    ledger.cancel(intent_id, CancelIntent())
    return intent_id


@pytest.mark.parametrize(
    ("made", "status"),
    [(_charging, "processing"), (_succeeded, "succeeded"), (_canceled, "canceled")],
)
def test_an_intent_charging_charged_or_canceled_cannot_be_canceled(
    made: Callable[[Ledger], str], status: str
) -> None:
    ledger = Ledger()
    intent_id = made(ledger)
    before = msgspec.json.encode(ledger.intents[intent_id])
    events = len(ledger.events)
    with pytest.raises(GatewayError) as caught:
        ledger.cancel(intent_id, CancelIntent())
    assert (caught.value.status, caught.value.code) == (400, "payment_intent_unexpected_state")
    assert f"status of {status}" in caught.value.message
    assert msgspec.json.encode(ledger.intents[intent_id]) == before
    assert len(ledger.events) == events


def test_an_unknown_intent_cannot_be_canceled() -> None:
    with pytest.raises(GatewayError) as caught:
        Ledger().cancel("pi_nope", CancelIntent())
    assert caught.value.status == 404
