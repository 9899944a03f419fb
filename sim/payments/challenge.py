"""The 3-D Secure challenge page, as a card's bank would show it (Stripe's `redirect_to_url`).

`GET /payments/challenge/{id}` — "Confirm this payment of <amount> with your bank", one real
form with two buttons, Complete and Fail. `POST` the form (`outcome=complete|fail`) → the intent
goes on or fails (`PaymentsSim.answer_challenge`), then `303` to the intent's `return_url` with
`?payment_intent=<id>`. A second answer changes nothing and is sent back the same way. No API
key: the traveler's browser comes here, never the merchant's server. Any merchant may show it in
an iframe (`sim.pages.FRAMED_PAGE_HEADERS`).
"""

from __future__ import annotations

import contextlib
from html import escape

from aiohttp import web
from yarl import URL

from sim.pages import FRAMED_PAGE_HEADERS
from sim.payments.gateway import PAYMENTS
from sim.payments.ledger import ChallengeAnswered, ChallengeOutcome, Intent

CHALLENGE_ROUTE = "challenge"
_OUTCOMES: dict[object, ChallengeOutcome] = {"complete": "complete", "fail": "fail"}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; }
form { display: flex; gap: 1rem; }
button { font: inherit; padding: .5rem 1.2rem; }
"""


def add_routes(app: web.Application) -> None:
    app.router.add_get("/challenge/{id}", get_challenge, name=CHALLENGE_ROUTE)
    app.router.add_post("/challenge/{id}", post_challenge, name="challenge_answer")


def challenge_url(request: web.Request, intent_id: str) -> str:
    """The absolute address of the intent's challenge page, on the host the caller reached."""
    path = request.app.router[CHALLENGE_ROUTE].url_for(id=intent_id)
    return str(request.url.origin().join(path))


def _intent(request: web.Request) -> Intent:
    intent = request.config_dict[PAYMENTS].ledger.intents.get(request.match_info["id"])
    if intent is None:
        raise web.HTTPNotFound(text="no such payment")
    return intent


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return web.Response(
        text=html, status=status, content_type="text/html", headers=FRAMED_PAGE_HEADERS
    )


async def get_challenge(request: web.Request) -> web.Response:
    intent = _intent(request)
    amount = f"{intent.amount} {intent.currency}"
    if intent.status == "canceled":  # the traveler paid with another card meanwhile
        return _page("Payment canceled", "<h1>This payment was canceled</h1>")
    if intent.status != "requires_action":
        return _page("Payment already confirmed", "<h1>This payment was already answered</h1>")
    action = request.app.router["challenge_answer"].url_for(id=intent.id)
    body = (
        '<h1 id="challenge-title">Your bank</h1>'
        f'<p id="challenge-ask">Confirm this payment of {escape(amount)} with your bank</p>'
        f'<form method="post" action="{escape(str(action))}"'
        ' aria-labelledby="challenge-title" aria-describedby="challenge-ask">'
        '<button type="submit" name="outcome" value="complete"'
        f' aria-label="Complete the payment of {escape(amount)}">Complete</button>'
        '<button type="submit" name="outcome" value="fail"'
        ' aria-label="Fail the payment">Fail</button>'
        "</form>"
    )
    return _page("Confirm your payment", body)


async def post_challenge(request: web.Request) -> web.Response:
    intent = _intent(request)
    outcome = _OUTCOMES.get((await request.post()).get("outcome"))
    if outcome is None:
        return _page("Bad answer", "<h1>Choose Complete or Fail</h1>", status=400)
    # Answered before: nothing changes, the browser goes back all the same.
    with contextlib.suppress(ChallengeAnswered):
        request.config_dict[PAYMENTS].answer_challenge(intent.id, outcome)
    return _back_to_merchant(request, intent)


def _back_to_merchant(request: web.Request, intent: Intent) -> web.Response:
    """303 to the intent's `return_url` with `?payment_intent=<id>`; a page without one."""
    redirect = request.config_dict[PAYMENTS].ledger.return_urls.get(intent.id)
    if redirect is None:
        return _page("Payment answered", "<h1>Thank you: you may close this page</h1>")
    target = URL(redirect).extend_query(payment_intent=intent.id)
    raise web.HTTPSeeOther(location=str(target), headers=FRAMED_PAGE_HEADERS)
