"""The authorization request (OIDC Core §3.1.2.1 with PKCE, RFC 7636), checked without I/O.

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
)


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str

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
    return AuthorizationRequest(
        client_id, redirect_uri, " ".join(dict.fromkeys(scopes)), state, nonce, challenge
    )


def redirect_location(redirect_uri: str, params: Mapping[str, str | None]) -> str:
    """`redirect_uri` with `params` added to its query (keeping what it already has)."""
    parts = urlsplit(redirect_uri)
    added = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
