"""A recent sign-in for sensitive routes: the RFC 9470 step-up challenge.

A Bearer token proves who calls, not that they are at the keyboard now: a token lifted from a
shared laptop an hour after sign-in is as valid as a fresh one. A route that must not be run on
such a token (erasing the account: `DELETE /v1/me`) declares `recent_sign_in=True` on its
operation, and the guard (skyfare/guard.py) checks the token's `auth_time` (RFC 9068 §2.2.1)
after authenticating it. A sign-in older than `max_age_s`, or a token that does not say when it
signed in, is a 401 problem `insufficient-user-authentication` whose challenge is

    WWW-Authenticate: Bearer realm="skyfare", error="insufficient_user_authentication",
        error_description="...", max_age=300

and the client signs in again with OIDC `max_age` (or `prompt=login`) and retries with the new
token. A refresh keeps the sign-in's `auth_time`, so refreshing does not pass this check.

Pure but for the clock (wall-clock seconds, as `auth_time`), which tests inject.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kernel.auth import CLOCK_LEEWAY_S, Principal, challenge
from kernel.errors import InsufficientUserAuthentication

ERROR = "insufficient_user_authentication"  # RFC 9470 §3


def refusal(auth_time: int | None, *, now: float, max_age_s: int) -> str | None:
    """Why a sign-in at `auth_time` is not recent enough at `now`, None when it is."""
    if auth_time is None:
        return "the token does not say when you signed in"
    age = now - auth_time
    # Up to the leeway ahead of our clock is the issuer's clock skew, not a forgery (a forger
    # with the key could write any time); beyond it the time is not believed.
    if age < -CLOCK_LEEWAY_S:
        return "the token's sign-in time (auth_time) is in the future"
    if age > max_age_s:
        return f"you signed in {_duration(age)} ago"
    return None


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return _count(int(seconds), "second")
    if minutes < 120:
        return _count(minutes, "minute")
    return _count(minutes // 60, "hour")


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


class RecentSignIn:
    """`check(principal)`: InsufficientUserAuthentication unless it signed in within
    `max_age_s` seconds of now."""

    def __init__(self, max_age_s: int, *, clock: Callable[[], float] = time.time) -> None:
        self.max_age_s = max_age_s
        self._clock = clock

    def check(self, principal: Principal) -> None:
        why = refusal(principal.auth_time, now=self._clock(), max_age_s=self.max_age_s)
        if why is None:
            return
        max_age_s = self.max_age_s
        needed = f"within the last {_duration(max_age_s)}" if max_age_s else "made just now"
        detail = f"This needs a sign-in {needed}, and {why}. Sign in again, then retry."
        raise InsufficientUserAuthentication(
            detail, challenge=step_up_challenge(why, self.max_age_s), max_age=self.max_age_s
        )


def step_up_challenge(description: str, max_age_s: int) -> str:
    """The RFC 9470 §3 `WWW-Authenticate` value: `max_age` says how recent a sign-in to get."""
    bearer = challenge(f"A more recent sign-in is required: {description}", error=ERROR)
    return f"{bearer}, max_age={max_age_s}"
