"""RFC 9470 step-up: how recent a token's sign-in must be, judged on an injected clock."""

from __future__ import annotations

import pytest

from kernel.auth import Principal
from kernel.errors import InsufficientUserAuthentication
from skyfare.auth.step_up import RecentSignIn, refusal

NOW = 1_800_000_000.0


def signed_in(seconds_ago: float | None) -> Principal:
    return Principal("usr_ada", auth_time=None if seconds_ago is None else int(NOW - seconds_ago))


def refused(policy: RecentSignIn, principal: Principal) -> InsufficientUserAuthentication:
    with pytest.raises(InsufficientUserAuthentication) as caught:
        policy.check(principal)
    return caught.value


@pytest.mark.parametrize("seconds_ago", [0, 1, 299, 300, -30])
def test_a_sign_in_within_max_age_passes(seconds_ago: int) -> None:
    RecentSignIn(300, clock=lambda: NOW).check(signed_in(seconds_ago))


@pytest.mark.parametrize(
    ("seconds_ago", "why"),
    [
        (301, "you signed in 5 minutes ago"),
        (3600, "you signed in 60 minutes ago"),
        (3 * 86400, "you signed in 72 hours ago"),
        (None, "the token does not say when you signed in"),
        (-31, "the token's sign-in time (auth_time) is in the future"),
    ],
)
def test_an_old_undated_or_future_sign_in_is_refused_saying_why(
    seconds_ago: int | None, why: str
) -> None:
    assert refusal(signed_in(seconds_ago).auth_time, now=NOW, max_age_s=300) == why


def test_the_refusal_is_an_rfc_9470_challenge_telling_the_client_to_sign_in_again() -> None:
    error = refused(RecentSignIn(300, clock=lambda: NOW), signed_in(3600))

    assert error.challenge == (
        'Bearer realm="skyfare", error="insufficient_user_authentication", '
        'error_description="A more recent sign-in is required: you signed in 60 minutes ago", '
        "max_age=300"
    )
    assert error.max_age == 300
    assert error.extensions == {"max_age": 300}
    assert "Sign in again" in error.detail
    assert "within the last 5 minutes" in error.detail


def test_the_clock_is_read_at_each_check_not_once() -> None:
    now = [NOW]
    policy = RecentSignIn(300, clock=lambda: now[0])
    principal = signed_in(0)
    policy.check(principal)

    now[0] += 301

    refused(policy, principal)


def test_max_age_zero_takes_only_a_sign_in_of_this_very_second() -> None:
    policy = RecentSignIn(0, clock=lambda: NOW)
    policy.check(signed_in(0))

    error = refused(policy, signed_in(1))
    assert "max_age=0" in error.challenge
    assert error.detail == (
        "This needs a sign-in made just now, and you signed in 1 second ago. "
        "Sign in again, then retry."
    )
