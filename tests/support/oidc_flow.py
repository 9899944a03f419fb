"""The steps of the sim's sign-in flow, one by one, for tests that go off the happy path."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp

from skyfare.devlogin import authorize_url, parse_forms, pkce_pair
from tests.support.tokens import WEB_REDIRECT_URI, sim_issuer

CLIENT_ID = "skyfare-web"


@dataclass
class Flow:
    """One authorization request: what the client keeps to check and redeem its answer."""

    sim_url: str
    redirect_uri: str = WEB_REDIRECT_URI
    client_id: str = CLIENT_ID
    scope: str = "openid profile email"
    verifier: str = ""
    challenge: str = ""
    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    # More authorization parameters (`max_age`, `prompt`, ...), added to the URL as given.
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.verifier, self.challenge = pkce_pair()

    @property
    def issuer(self) -> str:
        return sim_issuer(self.sim_url)

    def url(self) -> str:
        url = authorize_url(
            self.issuer,
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            code_challenge=self.challenge,
            state=self.state,
            nonce=self.nonce,
            scope=self.scope,
        )
        return f"{url}&{urlencode(self.extra)}" if self.extra else url


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def location_params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.headers["Location"]).query).items()}


async def get(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> Answer:
    async with session.get(url, allow_redirects=False, **kwargs) as response:
        return Answer(response.status, dict(response.headers), await response.text())


async def post(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> Answer:
    async with session.post(url, allow_redirects=False, **kwargs) as response:
        return Answer(response.status, dict(response.headers), await response.text())


async def submit(session: aiohttp.ClientSession, flow: Flow, form_id: str, **fields: str) -> Answer:
    """Open the sign-in page of `flow` and submit its form `form_id` with `fields` filled in."""
    page = await get(session, flow.url())
    assert page.status == 200, page.text
    form = parse_forms(page.text)[form_id]
    return await post(session, urljoin(flow.url(), form.action), data={**form.fields, **fields})


async def code_for(session: aiohttp.ClientSession, flow: Flow, email: str, password: str) -> str:
    """Sign in on the page; the code the redirect carries (its `state` checked)."""
    answer = await submit(session, flow, "sign-in", email=email, password=password)
    assert answer.status == 303, answer.text
    params = answer.location_params()
    assert params["state"] == flow.state
    return params["code"]


async def token(
    session: aiohttp.ClientSession, sim_url: str, form: dict[str, str], **kwargs: Any
) -> tuple[int, dict[str, Any], dict[str, str]]:
    async with session.post(f"{sim_issuer(sim_url)}/token", data=form, **kwargs) as response:
        return response.status, await response.json(), dict(response.headers)


def code_grant(flow: Flow, code: str, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow.redirect_uri,
        "client_id": flow.client_id,
        "code_verifier": flow.verifier,
    }
    return {**form, **overrides}


def refresh_grant(refresh_token: str, client_id: str = CLIENT_ID) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
