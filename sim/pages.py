"""What every server-rendered page of the sim answers with (the identity provider's sign-in, the
payment gateway's 3-D Secure challenge): pages a browser opens, carrying a form of one request."""

from __future__ import annotations

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    # No `form-action 'self'`: browsers apply it to the redirect that answers the form, and that
    # redirect goes to the client's (the merchant's) origin.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}

# The 3-D Secure challenge is shown inside the merchant's page (a modal iframe, as Stripe.js's
# handleNextAction and every card bank's ACS page allow): any merchant may frame it. A sign-in
# page keeps `DENY`: a framed sign-in is clickjacking.
FRAMED_PAGE_HEADERS = {
    **{k: v for k, v in PAGE_HEADERS.items() if k != "X-Frame-Options"},
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *",
}
