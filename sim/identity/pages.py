"""The sign-in page: a small server-rendered HTML page with two forms, `sign-in` and `sign-up`.

Both forms post the authorization request along in hidden fields, so the provider keeps no
session between showing the page and reading the password. Every value is HTML-escaped; the
page may not be framed (clickjacking) nor cached (it carries the request's state and nonce).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from aiohttp import web

from sim.identity.authorize import AuthorizationRequest
from sim.identity.config import MOUNT_PATH
from sim.pages import PAGE_HEADERS

SIGN_IN_ACTION = f"{MOUNT_PATH}/authorize"
SIGN_UP_ACTION = f"{MOUNT_PATH}/signup"

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; }
form { display: grid; gap: .5rem; margin-bottom: 2rem; }
label { display: grid; gap: .2rem; }
.error { color: #a00; }
"""


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )


def _field(
    form: str, name: str, label: str, kind: str, value: str, errors: Mapping[str, str]
) -> str:
    autocomplete = {
        "email": "email",
        "password": "current-password" if form == "sign-in" else "new-password",
        "given_name": "given-name",
        "family_name": "family-name",
    }[name]
    error = errors.get(name)
    described = f' aria-describedby="{form}-{name}-error"' if error else ""
    message = (
        f'<span class="error" id="{form}-{name}-error">{escape(error)}</span>' if error else ""
    )
    shown = "" if kind == "password" else f' value="{escape(value)}"'
    return (
        f'<label for="{form}-{name}">{label}'
        f'<input id="{form}-{name}" name="{name}" type="{kind}" required'
        f' autocomplete="{autocomplete}"{shown}{described}>{message}</label>'
    )


def _again(request: AuthorizationRequest) -> str:
    # `max_age` or `prompt=login`: the client wants a fresh sign-in (RFC 9470), so say why.
    fresh = request.max_age is not None or "login" in (request.prompt or "").split()
    return " again, to confirm it is you" if fresh else ""


def sign_in_page(
    request: AuthorizationRequest,
    *,
    status: int = 200,
    sign_in_error: str | None = None,
    sign_up_errors: Mapping[str, str] | None = None,
    entered: Mapping[str, str] | None = None,
) -> web.Response:
    """The page for `request`; with what was entered and what was wrong with it, if anything."""
    entered = entered or {}
    up_errors = sign_up_errors or {}
    hidden = _hidden(request.carried())
    alert = f'<p class="error" role="alert">{escape(sign_in_error)}</p>' if sign_in_error else ""
    sign_in_email = entered.get("email", "") if sign_up_errors is None else ""
    sign_up = {
        k: (entered.get(k, "") if sign_up_errors is not None else "")
        for k in ("email", "given_name", "family_name")
    }
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to Skyfare</title><style>{_STYLE}</style></head>
<body><main>
<h1>Sign in to Skyfare</h1>
<p>{escape(request.client_id)} asks you to sign in{_again(request)}.</p>
{alert}
<form id="sign-in" method="post" action="{SIGN_IN_ACTION}" aria-label="Sign in">{hidden}
{_field("sign-in", "email", "Email", "email", sign_in_email, {})}
{_field("sign-in", "password", "Password", "password", "", {})}
<button type="submit">Sign in</button>
</form>
<h2>New here? Create an account</h2>
<form id="sign-up" method="post" action="{SIGN_UP_ACTION}" aria-label="Create an account">{hidden}
{_field("sign-up", "given_name", "Given name", "text", sign_up["given_name"], up_errors)}
{_field("sign-up", "family_name", "Family name", "text", sign_up["family_name"], up_errors)}
{_field("sign-up", "email", "Email", "email", sign_up["email"], up_errors)}
{_field("sign-up", "password", "Password (10 characters or more)", "password", "", up_errors)}
<button type="submit">Create account</button>
</form>
</main></body></html>
"""
    return web.Response(text=body, status=status, content_type="text/html", headers=PAGE_HEADERS)


def error_page(message: str, *, status: int = 400) -> web.Response:
    """What a browser sees when the request cannot be sent back to the client at all."""
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in request refused</title></head>
<body><main><h1>This sign-in request cannot be served</h1>
<p role="alert">{escape(message)}</p></main></body></html>
"""
    return web.Response(text=body, status=status, content_type="text/html", headers=PAGE_HEADERS)
