"""`GET /bank-return?order=<id>`: where a card's bank (3-D Secure) sends the browser back.

The web app shows the bank's page in an iframe of the trip page (web/src/features/booking
`BankDialog`), which stays loaded and follows the payment; the bank's page ends by sending its
frame to the intent's `return_url`. Were that the trip page, the whole app would load inside the
frame (and, its shell being `frame-ancestors 'none'`, be refused). So `return_url` is this page:
in a frame it is a few words and a link, allowed only in our own pages (`frame-ancestors 'self'`);
opened as the window itself (`Sec-Fetch-Dest: document`: the fallback where the app navigated to
the bank's page) it redirects (303) to the trip, which asks the traveler to sign in and follows
the payment. A browser that sends no `Sec-Fetch-Dest` gets the words and the link: right in both.
It reads no state and needs no token: the order id only builds the link to the trip. It keeps the
defaults of every answer (`no-store`, `no-referrer`: skyfare/security_headers.py).
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from booking.model import is_order_id
from kernel.http import add_response_headers
from kernel.openapi import Operation, Parameter
from payment.model import BANK_RETURN_PATH

PATH: Final = BANK_RETURN_PATH
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your bank has your answer</title>
<style>body { font-family: system-ui, sans-serif; margin: 2rem 1rem; }</style></head>
<body><main><h1>Your bank has your answer</h1>
<p>You can close this window: your trip shows the payment.</p>
<p><a href="{trip}" target="_top">See your trip</a></p>
</main></body></html>
"""


async def bank_return(request: web.Request) -> web.Response:
    order_id = request.query.get("order", "")
    trip = f"/trips/{order_id}" if is_order_id(order_id) else "/trips"
    if request.headers.get("Sec-Fetch-Dest") == "document":
        raise web.HTTPSeeOther(location=trip)
    add_response_headers(request, {"Content-Security-Policy": CSP})
    return web.Response(text=_PAGE.replace("{trip}", trip), content_type="text/html")


OPERATION: Final = Operation(
    "get", PATH, "web_bank_return",
    "Where a card's bank (3-D Secure) sends the browser back: a few words in the app's frame,"
    " or a redirect (303) to the trip when opened as the window",
    "web", response_media=("text/html",),
    parameters=(Parameter("order", "query", "The order paid (any other value: My trips)"),),
    also_success={303: "Opened as the window (Sec-Fetch-Dest: document): on to the trip page"},
)  # fmt: skip
