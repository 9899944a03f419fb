"""The browser side of sign-in: `GET /identity/authorize` shows the page, its two forms post
back to `POST /identity/authorize` (sign in) and `POST /identity/signup` (create an account),
and success is a 303 to the client's redirect URI with `code`, `state` and `iss` (RFC 9207)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from aiohttp import web

from sim.identity import authorize, pages
from sim.identity.authorize import AuthorizationRequest, BadClient, RedirectError
from sim.identity.codes import Grant
from sim.identity.config import MOUNT_PATH
from sim.identity.provider import IDENTITY, IdentityProvider
from sim.identity.users import Account, SignUpRejected

WRONG_CREDENTIALS = "Wrong email or password."


def issuer_of(request: web.Request) -> str:
    """`<the URL the client used>/identity`: a sim on a random port issues for that URL."""
    return f"{request.scheme}://{request.host}{MOUNT_PATH}"


async def get_authorize(request: web.Request) -> web.Response:
    checked = authorize.check(request.query, request.config_dict[IDENTITY].clients)
    if not isinstance(checked, AuthorizationRequest):
        return _refusal(checked)
    return pages.sign_in_page(checked)


async def post_sign_in(request: web.Request) -> web.Response:
    form = await read_form(request)
    checked = authorize.check(form, request.config_dict[IDENTITY].clients)
    if not isinstance(checked, AuthorizationRequest):
        return _refusal(checked)
    identity = request.config_dict[IDENTITY]
    # argon2 takes tens of milliseconds of CPU: off the event loop (it releases the GIL).
    account = await asyncio.to_thread(
        identity.accounts.authenticate, form.get("email", ""), form.get("password", "")
    )
    if account is None:
        entered = {"email": form.get("email", "")}
        return pages.sign_in_page(
            checked, status=401, sign_in_error=WRONG_CREDENTIALS, entered=entered
        )
    return _signed_in(request, identity, checked, account)


async def post_sign_up(request: web.Request) -> web.Response:
    form = await read_form(request)
    checked = authorize.check(form, request.config_dict[IDENTITY].clients)
    if not isinstance(checked, AuthorizationRequest):
        return _refusal(checked)
    identity = request.config_dict[IDENTITY]
    try:
        # On the event loop, argon2 and all: the check for a taken email and the insert must not
        # interleave with another sign-up's (sign-ups are rare; sign-ins go to a thread).
        account = identity.accounts.sign_up(
            form.get("email", ""),
            form.get("password", ""),
            form.get("given_name", ""),
            form.get("family_name", ""),
        )
    except SignUpRejected as exc:
        entered = {k: form.get(k, "") for k in ("email", "given_name", "family_name")}
        return pages.sign_in_page(checked, status=422, sign_up_errors=exc.errors, entered=entered)
    return _signed_in(request, identity, checked, account)


def _signed_in(
    request: web.Request,
    identity: IdentityProvider,
    asked: AuthorizationRequest,
    account: Account,
) -> web.Response:
    grant = Grant(account.id, asked.client_id, asked.scope, auth_time=identity.now())
    code = identity.grants.issue_code(
        grant,
        redirect_uri=asked.redirect_uri,
        code_challenge=asked.code_challenge,
        nonce=asked.nonce,
    )
    params = {"code": code, "state": asked.state, "iss": issuer_of(request)}
    return _redirect(authorize.redirect_location(asked.redirect_uri, params))


def _refusal(refused: BadClient | RedirectError) -> web.Response:
    if isinstance(refused, BadClient):
        return pages.error_page(refused.message)
    params = {
        "error": refused.error,
        "error_description": refused.description,
        "state": refused.state,
    }
    return _redirect(authorize.redirect_location(refused.redirect_uri, params))


def _redirect(location: str) -> web.Response:
    # 303: the browser follows a POST's answer with a GET (RFC 9110 §15.4.4).
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


async def read_form(request: web.Request) -> Mapping[str, str]:
    """The form's text fields (a file upload or a repeated field counts as absent)."""
    posted = await request.post()
    fields: dict[str, str] = {}
    for name in set(posted.keys()):
        values = posted.getall(name)
        if len(values) == 1 and isinstance(values[0], str):
            fields[name] = values[0]
    return fields
