"""`skyfare login`: sign in to the sim identity provider through its real flow, as a browser
would, and print the access token.

The flow is the authorization code flow with PKCE: GET the authorize URL, read the sign-in form
off the HTML page, post the email and password, take the code from the redirect's Location
(without following it: nothing listens at the redirect URI), check `state`, exchange the code with
the verifier, then check the ID token's signature, audience and `nonce`. Driving the HTML form is
what ties this to the sim: a real provider's page is for people, not for scripts.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TextIO
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp
import jwt
import msgspec

TIMEOUT_S = 10.0
DEFAULT_SCOPE = "openid profile email"


class Tokens(msgspec.Struct, frozen=True):
    """The token endpoint's answer."""

    access_token: str
    refresh_token: str
    id_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"


class SignInFailed(Exception):
    """The flow did not end with tokens; the message says at which step and why."""


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """Every `<form id=...>` of a page: its action and its inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, Form] = {}
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(attributes.get("action", ""))
            self.forms[attributes.get("id", "")] = self._current
        elif tag == "input" and self._current is not None and "name" in attributes:
            self._current.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_forms(page: str) -> dict[str, Form]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def pkce_pair() -> tuple[str, str]:
    """A fresh code verifier and its S256 challenge (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    issuer: str,
    *,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    state: str,
    nonce: str,
    scope: str = DEFAULT_SCOPE,
) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{issuer.rstrip('/')}/authorize?{query}"


def callback_params(location: str, *, redirect_uri: str, state: str) -> dict[str, str]:
    """The redirect's query, checked as a client must: back at our redirect URI, with our
    `state` (a forged or mixed-up answer is refused), and no `error`."""
    if not location.startswith(redirect_uri):
        raise SignInFailed(f"sent to {location!r}, not back to {redirect_uri}")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    if params.get("state") != state:
        raise SignInFailed("the answer's state is not the one we sent: refused")
    if "error" in params:
        raise SignInFailed(f"{params['error']}: {params.get('error_description', '')}")
    if not params.get("code"):
        raise SignInFailed("the redirect carries no code")
    return params


async def sign_in(
    session: aiohttp.ClientSession,
    issuer: str,
    email: str,
    password: str,
    *,
    client_id: str,
    redirect_uri: str,
    scope: str = DEFAULT_SCOPE,
) -> Tokens:
    """Sign in as `email` through the sim's sign-in page; the tokens, their ID token checked."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = authorize_url(
        issuer,
        client_id=client_id,
        redirect_uri=redirect_uri,
        code_challenge=challenge,
        state=state,
        nonce=nonce,
        scope=scope,
    )
    async with session.get(url, allow_redirects=False) as response:
        page = await response.text()
        if response.status != 200:
            raise SignInFailed(f"the authorize page answered {response.status}: {_alert(page)}")
    form = parse_forms(page).get("sign-in")
    if form is None:
        raise SignInFailed("the authorize page has no sign-in form")
    fields = {**form.fields, "email": email, "password": password}
    async with session.post(urljoin(url, form.action), data=fields, allow_redirects=False) as sent:
        if sent.status not in (302, 303):
            raise SignInFailed(f"sign-in refused ({sent.status}): {_alert(await sent.text())}")
        location = sent.headers["Location"]
    code = callback_params(location, redirect_uri=redirect_uri, state=state)["code"]
    tokens = await exchange_code(
        session, issuer, code, client_id=client_id, redirect_uri=redirect_uri, verifier=verifier
    )
    await verified_id_token(session, issuer, tokens.id_token, client_id=client_id, nonce=nonce)
    return tokens


async def exchange_code(
    session: aiohttp.ClientSession,
    issuer: str,
    code: str,
    *,
    client_id: str,
    redirect_uri: str,
    verifier: str,
) -> Tokens:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": verifier,
    }
    async with session.post(f"{issuer.rstrip('/')}/token", data=form) as response:
        answer = await response.json()
        if response.status != 200:
            raise SignInFailed(f"the code exchange failed: {answer.get('error_description')}")
    return msgspec.convert(answer, Tokens)


async def verified_id_token(
    session: aiohttp.ClientSession, issuer: str, id_token: str, *, client_id: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature (the issuer's JWKS), issuer, audience and
    `nonce` check out (OIDC Core §3.1.3.7)."""
    async with session.get(f"{issuer.rstrip('/')}/.well-known/jwks.json") as response:
        jwks = jwt.PyJWKSet.from_dict(await response.json())
    kid = jwt.get_unverified_header(id_token).get("kid", "")
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token, jwks[kid].key, algorithms=["ES256"], audience=client_id, issuer=issuer
        )
    except (jwt.PyJWTError, KeyError) as exc:
        raise SignInFailed(f"the ID token does not check out: {exc}") from None
    if claims.get("nonce") != nonce:
        raise SignInFailed("the ID token's nonce is not the one we sent: refused")
    return claims


def _alert(page: str) -> str:
    start = page.find('role="alert">')
    if start < 0:
        return "no reason given"
    return page[start + len('role="alert">') :].split("<", 1)[0]


async def login(
    issuer: str, email: str, password: str, *, client_id: str, redirect_uri: str
) -> Tokens:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await sign_in(
            session, issuer, email, password, client_id=client_id, redirect_uri=redirect_uri
        )


def login_hint_line(api_base: str, command: str = "skyfare") -> str:
    """What `skyfare up` prints so a newcomer signs in as a seeded user through the real flow."""
    login = f"{command} login --email ada@example.com --password lovelace-1815"
    return (
        f"Sign in (sim users in the README): {login} — try: "
        f'curl -s -H "Authorization: Bearer $({login})" {api_base}/v1/orders'
    )


def run_command(
    issuer: str, email: str, password: str, *, show_all: bool, out: TextIO = sys.stdout
) -> int:
    """`skyfare login`: the access token on stdout (all tokens as JSON with `--json`)."""
    import uvloop

    from sim.identity.clients import CLI_CLIENT_ID, CLI_REDIRECT_URI

    try:
        tokens = uvloop.run(
            login(issuer, email, password, client_id=CLI_CLIENT_ID, redirect_uri=CLI_REDIRECT_URI)
        )
    except SignInFailed as exc:
        print(f"skyfare: {exc}", file=sys.stderr)
        return 2
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        print(
            f"skyfare: cannot reach the identity provider at {issuer} ({reason}): "
            "is the sim running (`skyfare up` or `skyfare sim`)?",
            file=sys.stderr,
        )
        return 1
    print(msgspec.json.encode(tokens).decode() if show_all else tokens.access_token, file=out)
    return 0
