"""The identity provider's registered clients: public ones (no secret), each with the exact
redirect URIs it may ask codes to be sent to, and the browser origins those URIs imply (CORS)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

WEB_CLIENT_ID = "skyfare-web"
# `skyfare login` drives the sign-in page itself and reads the redirect's Location without
# following it, so nothing has to listen at its redirect URI.
CLI_CLIENT_ID = "skyfare-cli"
CLI_REDIRECT_URI = "http://127.0.0.1/skyfare-cli/callback"


def default_web_redirect_uris(api_port: int = 8080) -> tuple[str, ...]:
    """The browser app's callback on the API's own origin (`web/` is served by the API)."""
    return (
        f"http://127.0.0.1:{api_port}/auth/callback",
        f"http://localhost:{api_port}/auth/callback",
    )


def redirect_uri_problem(uri: str) -> str | None:
    """Why `uri` cannot be registered (RFC 6749 §3.1.2: absolute, no fragment), or None."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{uri!r} is not an absolute http(s) URL"
    if parts.fragment or uri.endswith("#"):
        return f"{uri!r} has a fragment"
    return None


def origin_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


class Clients:
    """Client ids and their redirect URIs; matched exactly, as RFC 9700 §4.1.3 asks."""

    def __init__(self, web_redirect_uris: Iterable[str]) -> None:
        self._redirect_uris: dict[str, list[str]] = {
            WEB_CLIENT_ID: list(dict.fromkeys(web_redirect_uris)),
            CLI_CLIENT_ID: [CLI_REDIRECT_URI],
        }

    def known(self, client_id: str) -> bool:
        return client_id in self._redirect_uris

    def allows(self, client_id: str, redirect_uri: str) -> bool:
        return redirect_uri in self._redirect_uris.get(client_id, ())

    def register(self, client_id: str, redirect_uris: Iterable[str]) -> list[str]:
        """Add `redirect_uris` to the client (created when new); its URIs now."""
        uris = self._redirect_uris.setdefault(client_id, [])
        uris.extend(uri for uri in redirect_uris if uri not in uris)
        return list(uris)

    def redirect_uris(self, client_id: str) -> list[str]:
        return list(self._redirect_uris.get(client_id, ()))

    def listing(self) -> dict[str, list[str]]:
        return {client_id: list(uris) for client_id, uris in self._redirect_uris.items()}

    def allows_origin(self, origin: str) -> bool:
        """Whether a browser page at `origin` may read the token, discovery and JWKS answers."""
        return any(
            origin_of(uri) == origin for uris in self._redirect_uris.values() for uri in uris
        )
