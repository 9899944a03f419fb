"""Webhook signature verification (payment/webhooks.py), and its agreement with the sim's signer."""

from __future__ import annotations

import pytest

from payment.webhooks import TOLERANCE_S, WebhookRejected, expected_signature, parse_header, verify
from sim.payments.signing import signature_header

SECRET = "whsec_current"
OLD_SECRET = "whsec_previous"
BODY = b'{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}'
NOW = 1_800_000_000


def header(*secrets: str, t: int = NOW, body: bytes = BODY) -> str:
    return signature_header(secrets or (SECRET,), t, body)


def rejection(body: bytes, value: str | None, secrets: tuple[str, ...] = (SECRET,)) -> str:
    with pytest.raises(WebhookRejected) as caught:
        verify(body, value, secrets, now=NOW)
    return caught.value.reason


def test_a_delivery_signed_by_the_sim_verifies_and_yields_its_timestamp() -> None:
    assert verify(BODY, header(), [SECRET], now=NOW) == NOW


def test_the_sim_and_the_verifier_compute_the_same_signature() -> None:
    t, signatures = parse_header(header())
    assert t == NOW
    assert signatures == (expected_signature(SECRET, NOW, BODY),)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_header_is_rejected_as_missing(value: str | None) -> None:
    assert rejection(BODY, value) == "missing"


@pytest.mark.parametrize(
    "value",
    [
        "v1=abc",  # no timestamp
        f"t={NOW}",  # no signature
        f"t={NOW},t={NOW},v1=abc",  # two timestamps
        "t=soon,v1=abc",
        f"t=-{NOW},v1=abc",
        f"t={NOW},v1",  # an item without "="
        "garbage",
        f"t={NOW},v1=" + "a" * 5000,  # absurdly long
    ],
)
def test_a_malformed_header_is_rejected_as_malformed(value: str) -> None:
    assert rejection(BODY, value) == "malformed"


def test_a_changed_body_does_not_verify() -> None:
    assert rejection(BODY.replace(b"pi_1", b"pi_2"), header()) == "mismatch"


def test_a_signature_made_with_another_secret_does_not_verify() -> None:
    assert rejection(BODY, header("whsec_attacker")) == "mismatch"


def test_a_signature_over_another_timestamp_does_not_verify() -> None:
    forged = header().replace(f"t={NOW}", f"t={NOW + 1}")
    assert rejection(BODY, forged) == "mismatch"


def test_a_timestamp_older_than_five_minutes_is_rejected_as_stale() -> None:
    assert rejection(BODY, header(t=NOW - TOLERANCE_S - 1)) == "stale"


def test_a_timestamp_more_than_five_minutes_ahead_is_rejected_as_future() -> None:
    assert rejection(BODY, header(t=NOW + TOLERANCE_S + 1)) == "future"


@pytest.mark.parametrize("skew", [-TOLERANCE_S, TOLERANCE_S])
def test_a_timestamp_exactly_at_the_tolerance_is_accepted(skew: int) -> None:
    assert verify(BODY, header(t=NOW + skew), [SECRET], now=NOW) == NOW + skew


def test_a_stale_timestamp_is_refused_even_with_a_valid_signature() -> None:
    # A replayed old delivery is genuine but must not be applied: the window is the defence.
    t = NOW - 3600
    assert rejection(BODY, header(t=t)) == "stale"


def test_a_gateway_rotating_its_secret_signs_twice_and_either_signature_suffices() -> None:
    both = header(OLD_SECRET, SECRET)
    assert verify(BODY, both, [SECRET], now=NOW) == NOW
    assert verify(BODY, both, [OLD_SECRET], now=NOW) == NOW


def test_while_we_rotate_our_secret_both_old_and_new_are_accepted() -> None:
    assert verify(BODY, header(OLD_SECRET), [SECRET, OLD_SECRET], now=NOW) == NOW
    assert verify(BODY, header(SECRET), [SECRET, OLD_SECRET], now=NOW) == NOW


def test_unknown_schemes_are_ignored_but_do_not_count_as_a_signature() -> None:
    v0 = f"t={NOW},v0={expected_signature(SECRET, NOW, BODY)}"
    assert rejection(BODY, v0) == "malformed"
    assert verify(BODY, v0 + "," + header().split(",", 1)[1], [SECRET], now=NOW) == NOW


def test_upper_case_hex_and_spaces_after_commas_are_accepted() -> None:
    t, signature = header().split(",")
    assert verify(BODY, f"{t}, {signature.upper().replace('V1=', 'v1=')}", [SECRET], now=NOW)


def test_verifying_without_any_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="secret"):
        verify(BODY, header(), [], now=NOW)
