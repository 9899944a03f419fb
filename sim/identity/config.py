"""How a sim identity provider is set up: its clients' redirect URIs, lifetimes, its clock, and
whether the dev-only direct grant is on."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sim.identity.clients import default_web_redirect_uris

MOUNT_PATH = "/identity"


@dataclass(frozen=True)
class IdentityConfig:
    """`direct_grant`: `POST /identity/token` with a JSON body mints a token for any `sub`
    (tests, benchmarks, `skyfare token`). On by default, because the sim exists for development
    and tests; off, the sim behaves as a production provider does: sign-in is the only way in.
    `web_redirect_uris`: where `skyfare-web` may be sent back to (more via the control route).
    `clock`: wall-clock seconds, for codes, refresh tokens and the tokens' `iat`/`exp`.
    `access_ttl_s`: 15 minutes, as a provider should be set for this API. An access token cannot
    be revoked (the API verifies it alone), so its lifetime is how long a copied one works after
    the traveler signs out or the refresh family is revoked; the web app refreshes it unseen."""

    direct_grant: bool = True
    web_redirect_uris: tuple[str, ...] = field(default_factory=default_web_redirect_uris)
    code_ttl_s: float = 60.0
    access_ttl_s: int = 900
    id_ttl_s: int = 3600
    refresh_ttl_s: float = 30 * 86400.0
    clock: Callable[[], float] = time.time
