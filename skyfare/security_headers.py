"""The headers every response carries, whichever route answered it (or none did).

They are part of what the plumbing owes each request (`kernel.http.RESPONSE_HEADERS`), so a
returned, raised or streamed response gets them alike, and a new route gets them without asking.
A route that needs another policy (the docs page's scripts, its immutable assets) says so with
`kernel.http.add_response_headers`, which overrides these for its own request.

- `X-Content-Type-Options: nosniff`: a browser never guesses a type, so a JSON body that
  echoes input never runs as HTML or script.
- `Referrer-Policy: no-referrer`: an API answer has nothing to refer from; a page of ours never
  leaks its URL (an order id in a path) to another site.
- `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: a response opened as a
  document loads nothing and cannot be framed (OWASP's REST advice); HTML pages set their own.
- `Cache-Control: no-store`: nothing is stored by a browser or a shared cache unless its route
  says it may be (orders carry names, birth dates, emails and phones; every route that takes a
  Bearer token or a partner key answers that caller alone). Only public, versioned things opt out.
- `Server: skyfare`: aiohttp's default names its own and Python's versions.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web
from multidict import istr

SERVER: Final = "skyfare"
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
NO_STORE: Final = "no-store"

# `istr` names: a header block merges them into a response's CIMultiDict without folding each
# name's case again, per response (~1 µs of a cached search's ~60 µs, bench/results/
# 2026-12-04-ceiling-ablation.md). They are `str`s, equal to and hashed as the plain names.
_EVERY_RESPONSE: Final[dict[str, str]] = {
    istr("X-Content-Type-Options"): "nosniff",
    istr("Referrer-Policy"): "no-referrer",
    istr("Content-Security-Policy"): API_CSP,
    istr("Cache-Control"): NO_STORE,
    istr("Server"): SERVER,
}


def owed_headers(request_id_header: str, request_id: str) -> dict[str, str]:
    """The headers every response owes: the request id, then the security policy above
    (pass the header's name as an `istr` on a hot path: see `_EVERY_RESPONSE`)."""
    return {request_id_header: request_id, **_EVERY_RESPONSE}


def apply(response: web.StreamResponse) -> None:
    """The policy on a response built outside the plumbing (protocol errors, `Expect`)."""
    response.headers.update(_EVERY_RESPONSE)
