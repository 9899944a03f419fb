"""The authorization request (OIDC Core §3.1.2.1 with PKCE, RFC 7636), checked without I/O.

The provider keeps no sign-in session: every authorization request shows the sign-in page and
asks for the password, so each code stands for a sign-in made just then (its `auth_time` is
now). `max_age` (seconds) and `prompt=login` ask exactly that, and are met by construction; they
are still checked, so a client's malformed request is told rather than ignored. `prompt=none`
(answer without showing a page) cannot be met without a session: `login_required`.

A request whose `client_id` or `redirect_uri` is not registered cannot be answered by
redirecting (that is how open redirectors are made), so it gets a 400 page; any other error
goes back to the client's redirect URI as `error=...&state=...` (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from sim.identity.clients import Clients
from sim.identity.codes import CHALLENGE

SCOPES_SUPPORTED = ("openid", "profile", "email", "offline_access")
MAX_STATE_LENGTH = 512
# The parameters the sign-in and sign-up forms carry along (hidden) from the authorize URL.
CARRIED = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "max_age",
    "prompt",
)
# `prompt` values (OIDC Core §3.1.2.1); `none` may not be combined with another.
PROMPTS = ("none", "login", "consent", "select_account")
# Far beyond any sensible "signed in within" (a year): a larger number is a client's bug.
MAX_AGE_LIMIT_S = 366 * 86400


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str
    max_age: int | None = None  # seconds; met by construction (every sign-in is asked now)
    prompt: str | None = None

    def carried(self) -> dict[str, str]:
        """The hidden fields that make the forms' POST the same request again."""
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        if self.state is not None:
            fields["state"] = self.state
        if self.nonce is not None:
            fields["nonce"] = self.nonce
        if self.max_age is not None:
            fields["max_age"] = str(self.max_age)
        if self.prompt is not None:
            fields["prompt"] = self.prompt
        return fields


@dataclass(frozen=True)
class BadClient:
    """`client_id` or `redirect_uri` is missing or not registered: a 400 page, no redirect."""

    message: str


@dataclass(frozen=True)
class RedirectError:
    """An error the client learns at its redirect URI."""

    redirect_uri: str
    error: str
    description: str
    state: str | None


def check(
    params: Mapping[str, str], clients: Clients
) -> AuthorizationRequest | BadClient | RedirectError:
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    if not clients.known(client_id):
        return BadClient(f"unknown client_id {client_id!r}")
    if not clients.allows(client_id, redirect_uri):
        return BadClient(f"redirect_uri {redirect_uri!r} is not registered for {client_id}")
    state = params.get("state")

    def refuse(error: str, description: str) -> RedirectError:
        return RedirectError(redirect_uri, error, description, state)

    if params.get("response_type") != "code":
        return refuse("unsupported_response_type", "only response_type=code is supported")
    scopes = params.get("scope", "").split()
    if "openid" not in scopes:
        return refuse("invalid_scope", "scope must include openid")
    if unknown := [s for s in scopes if s not in SCOPES_SUPPORTED]:
        return refuse("invalid_scope", f"unsupported scope {' '.join(unknown)}")
    if params.get("code_challenge_method") != "S256":
        return refuse("invalid_request", "PKCE is required: code_challenge_method=S256")
    challenge = params.get("code_challenge", "")
    if not CHALLENGE.match(challenge):
        return refuse("invalid_request", "code_challenge must be BASE64URL(SHA-256(verifier))")
    if state is not None and len(state) > MAX_STATE_LENGTH:
        return refuse("invalid_request", f"state is longer than {MAX_STATE_LENGTH} characters")
    nonce = params.get("nonce")
    if nonce is not None and len(nonce) > MAX_STATE_LENGTH:
        return refuse("invalid_request", f"nonce is longer than {MAX_STATE_LENGTH} characters")
    if refused := _fresh_sign_in_refusal(params):
        return refuse(*refused)
    max_age, prompt = params.get("max_age"), params.get("prompt")
    return AuthorizationRequest(
        client_id,
        redirect_uri,
        " ".join(dict.fromkeys(scopes)),
        state,
        nonce,
        challenge,
        max_age=None if max_age is None else int(max_age),
        prompt=None if prompt is None else " ".join(dict.fromkeys(prompt.split())),
    )


def _is_max_age(value: str) -> bool:
    # Digits only: int() would take " 5", "+5", "٥" and "1_000".
    return value.isascii() and value.isdigit() and int(value) <= MAX_AGE_LIMIT_S


def _fresh_sign_in_refusal(params: Mapping[str, str]) -> tuple[str, str] | None:
    """The error for a `max_age` or `prompt` this provider cannot honour, None when it can."""
    max_age, prompt = params.get("max_age"), params.get("prompt")
    if max_age is not None and not _is_max_age(max_age):
        return "invalid_request", f"max_age must be whole seconds, 0 to {MAX_AGE_LIMIT_S}"
    if prompt is None:
        return None
    values = prompt.split()
    if not values or (unknown := [v for v in values if v not in PROMPTS]):
        shown = " ".join(unknown) if values else "(empty)"
        return "invalid_request", f"unsupported prompt {shown}; supported: {' '.join(PROMPTS)}"
    if "none" in values and len(values) > 1:
        return "invalid_request", "prompt=none cannot be combined with another value"
    if values == ["none"]:
        # No session is kept, so nobody is signed in here without the page (OIDC Core §3.1.2.6).
        return "login_required", "prompt=none cannot be met: no session is kept, sign in instead"
    return None


def redirect_location(redirect_uri: str, params: Mapping[str, str | None]) -> str:
    """`redirect_uri` with `params` added to its query (keeping what it already has)."""
    parts = urlsplit(redirect_uri)
    added = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
