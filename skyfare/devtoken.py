"""`skyfare token`: a dev traveler token from the running sim's identity provider.

Only the sim issues tokens on request; a real identity provider has its own login flows, so
with SKYFARE_JWT_ISSUER pointing at one this command says so instead of pretending.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import TextIO

from skyfare.settings import Settings

TIMEOUT_S = 5.0


class TokenRequestFailed(Exception):
    """The issuer could not be reached or refused; `exit_code` 2 for bad input, else 1."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def request_token(issuer: str, sub: str, roles: Sequence[str], ttl_s: int) -> str:
    """POST `{issuer}/token` (the sim's dev endpoint) and return the access token."""
    url = f"{issuer.rstrip('/')}/token"
    body = json.dumps({"sub": sub, "roles": list(roles), "ttl_s": ttl_s}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            token: str = json.load(response)["access_token"]
            return token
    except urllib.error.HTTPError as exc:
        raise _refusal(url, exc) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TokenRequestFailed(
            f"cannot reach the identity provider at {url} ({reason}): "
            "is the sim running (`skyfare up` or `skyfare sim`)?"
        ) from None
    except (ValueError, KeyError):
        raise TokenRequestFailed(f"{url} did not answer with a token") from None


def _refusal(url: str, exc: urllib.error.HTTPError) -> TokenRequestFailed:
    if exc.code in (400, 422):
        return TokenRequestFailed(f"the identity provider refused: {_reason(exc)}", exit_code=2)
    if exc.code in (404, 405):
        return TokenRequestFailed(
            f"{url} issues no dev tokens: SKYFARE_JWT_ISSUER points at an identity provider "
            "that is not the sim's"
        )
    return TokenRequestFailed(f"{url} answered HTTP {exc.code}")


def _reason(exc: urllib.error.HTTPError) -> str:
    """The sim's own `{"error": {"message"}}`, or an RFC 6749 `error_description` (the sim
    with its direct grant off answers as an OAuth token endpoint)."""
    try:
        error = json.loads(exc.read())
        if isinstance(error.get("error"), dict):
            return str(error["error"]["message"])
        return str(error["error_description"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"HTTP {exc.code}"


def run_command(
    settings: Settings, sub: str, roles: Sequence[str], ttl_s: int, *, out: TextIO = sys.stdout
) -> int:
    try:
        token = request_token(settings.trusted_issuer, sub, roles, ttl_s)
    except TokenRequestFailed as exc:
        print(f"skyfare: {exc}", file=sys.stderr)
        return exc.exit_code
    print(token, file=out)  # the only line on stdout: `$(skyfare token --sub alice)`
    return 0


def token_hint_line(api_base: str, command: str = "skyfare") -> str:
    """What `skyfare up` prints so a newcomer finds the traveler endpoints' credentials;
    `command` is how to run skyfare from the user's shell (`.venv/bin/skyfare` after `make run`)."""
    return (
        f"Traveler token (dev): {command} token --sub alice [--role support] — try: "
        f'curl -s -H "Authorization: Bearer $({command} token --sub alice)" {api_base}/v1/orders'
    )


def issuer_env(settings: Settings) -> str:
    """The settings `skyfare token` and `skyfare login` need to reach this stack's identity
    provider when run from another shell, as assignments to put before the command
    (`SKYFARE_SIM_PORT=22000 `): a stack moved off the default ports printed commands that,
    pasted elsewhere, asked port 9100 and said the sim was not running. Empty for the defaults."""
    default = Settings()
    if settings.jwt_issuer is not None:
        pairs = [("SKYFARE_JWT_ISSUER", settings.jwt_issuer)]
    else:
        pairs = [
            (var, str(value))
            for var, value, usual in (
                ("SKYFARE_SIM_HOST", settings.sim_host, default.sim_host),
                ("SKYFARE_SIM_PORT", settings.sim_port, default.sim_port),
            )
            if value != usual
        ]
    return "".join(f"{var}={shlex.quote(value)} " for var, value in pairs)


def invoked_as(argv0: str, cwd: str) -> str:
    """The command to print for the user to run again: `skyfare` when that is what they typed
    (on the PATH), else its path relative to where they are (`make run`'s `.venv/bin/skyfare`).
    Run as `python -m skyfare.cli`, argv[0] is the module's file, which cannot be run itself:
    the way it was run is printed instead, with this interpreter."""
    if (
        os.path.basename(argv0) == "cli.py"
        and os.path.basename(os.path.dirname(argv0)) == "skyfare"
    ):
        return f"{invoked_as(sys.executable, cwd)} -m skyfare.cli"
    if os.sep not in argv0:
        return argv0
    absolute = os.path.abspath(argv0)
    path = os.path.relpath(absolute, cwd)
    if path.startswith(".."):
        return absolute
    return path if os.sep in path else f".{os.sep}{path}"
