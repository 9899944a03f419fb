"""Mapping the gateway's JSON to our model, against payloads recorded from the sim gateway."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import msgspec

from payment.model import REFUND_PART, GatewayEvent, GatewayIntent, ListedRefund
from payment.wire import (
    decode_error,
    decode_event,
    decode_intent,
    decode_refund,
    event_from_wire,
    intent_from_wire,
    refund_from_wire,
)

SAMPLES = Path(__file__).parent / "samples"
PAYMENT_ID = "pay_5d1e0c9a2b7f4e6a8c3d1b2a"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_a_new_intent_is_processing_and_names_our_payment() -> None:
    intent = intent_from_wire(decode_intent(sample("intent_processing.json")))
    assert intent == GatewayIntent(
        id="pi_zawzYbIkM7lnGKvBIZnYcJ6T",
        status="processing",
        amount=Decimal("612.40"),
        currency="USD",
        payment_id=PAYMENT_ID,
        amount_received=Decimal("0.00"),  # nothing captured yet, nothing refunded
        amount_refunded=Decimal("0.00"),
        refunds=(),
    )


def test_an_intents_refunds_name_the_refund_part_that_asked_them_if_any() -> None:
    raw = msgspec.json.decode(sample("intent_processing.json"))
    raw["refunds"] = [
        {"id": "re_1", "amount": "30.00", "metadata": {}},  # at the dashboard
        {"id": "re_2", "amount": "10.00", "metadata": {REFUND_PART: "rfd_1"}},
    ]
    intent = intent_from_wire(decode_intent(msgspec.json.encode(raw)))
    assert intent.refunds == (
        ListedRefund("re_1", Decimal("30.00")),
        ListedRefund("re_2", Decimal("10.00"), "rfd_1"),
    )
    del raw["refunds"]  # a gateway that does not list them
    assert intent_from_wire(decode_intent(msgspec.json.encode(raw))).refunds is None


def test_a_succeeded_event_maps_to_succeeded_for_its_intent_and_payment() -> None:
    event = event_from_wire(decode_event(sample("event_payment_intent_succeeded.json")))
    assert event.kind == "succeeded"
    assert event.intent_id == "pi_zawzYbIkM7lnGKvBIZnYcJ6T"
    assert event.payment_id == PAYMENT_ID
    assert event.failure_reason is None


def test_a_declined_card_maps_to_failed_with_the_decline_code_as_reason() -> None:
    event = event_from_wire(decode_event(sample("event_payment_intent_payment_failed.json")))
    assert event.kind == "failed"
    assert event.failure_reason == "generic_decline"
    assert event.payment_id == PAYMENT_ID


def test_a_canceled_intent_maps_to_failed_canceled_as_its_event_does() -> None:
    raw = sample("event_payment_intent_canceled.json")
    event = event_from_wire(decode_event(raw))
    assert (event.kind, event.failure_reason, event.payment_id) == (
        "failed",
        "canceled",
        PAYMENT_ID,
    )
    # The reconciler reads the intent itself when the webhook never came: the same outcome.
    intent = msgspec.json.decode(raw)["data"]["object"]
    read = intent_from_wire(decode_intent(msgspec.json.encode(intent)))
    assert (read.status, read.failure_reason, read.action_url) == ("failed", "canceled", None)


def test_a_refund_event_names_the_intent_of_its_charge() -> None:
    event = event_from_wire(decode_event(sample("event_charge_refunded.json")))
    assert event.kind == "refunded"
    assert event.intent_id == "pi_zawzYbIkM7lnGKvBIZnYcJ6T"  # not the charge's own id
    assert event.payment_id == PAYMENT_ID


def test_an_event_type_we_do_not_act_on_is_ignored_not_an_error() -> None:
    raw = b'{"id": "evt_9", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}'
    assert event_from_wire(decode_event(raw)) == GatewayEvent(
        id="evt_9", kind="ignored", type="customer.created", intent_id="cus_1"
    )


def change_charge(name: str) -> bytes:
    """A recorded event as it comes for a flight change's own charge: its metadata names the
    change, no payment (payment/change_payments.py)."""
    event = msgspec.json.decode(sample(name))
    event["data"]["object"]["metadata"] = {"order_id": "ord_3f9a1c2b", "change_id": "och_7"}
    return msgspec.json.encode(event)


def test_a_change_charge_settled_names_the_change_and_is_acted_on() -> None:
    succeeded = event_from_wire(decode_event(change_charge("event_payment_intent_succeeded.json")))
    assert (succeeded.kind, succeeded.change_id, succeeded.payment_id) == (
        "succeeded",
        "och_7",
        None,
    )
    failed = event_from_wire(
        decode_event(change_charge("event_payment_intent_payment_failed.json"))
    )
    assert (failed.kind, failed.change_id) == ("failed", "och_7")
    canceled = event_from_wire(decode_event(change_charge("event_payment_intent_canceled.json")))
    assert (canceled.kind, canceled.change_id) == ("failed", "och_7")


def test_a_change_charge_refunded_moves_nothing_its_refunds_are_the_orders() -> None:
    refunded = event_from_wire(decode_event(change_charge("event_charge_refunded.json")))
    assert (refunded.kind, refunded.change_id) == ("ignored", "och_7")


def test_an_order_payment_names_no_change() -> None:
    event = event_from_wire(decode_event(sample("event_payment_intent_succeeded.json")))
    assert (event.payment_id, event.change_id) == (PAYMENT_ID, None)


def test_a_refund_answer_is_accepted_money() -> None:
    refund = refund_from_wire(decode_refund(sample("refund.json")))
    assert refund.accepted
    assert refund.amount == Decimal("612.40")
    assert refund.intent_id == "pi_zawzYbIkM7lnGKvBIZnYcJ6T"


def test_error_answers_keep_the_gateway_type_and_code() -> None:
    error = decode_error(sample("error_card_token.json")).error
    assert (error.type, error.code) == ("card_error", "invalid_card_token")
    error = decode_error(sample("error_refund_too_large.json")).error
    assert error.code == "charge_already_refunded"
