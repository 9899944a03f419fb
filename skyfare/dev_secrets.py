"""Development secrets never guard a real deployment: `check_dev_secrets(settings)` at start.

The secrets' defaults (settings_model.py) are the sim's own values, published in this
repository so `make run` and the tests need no configuration. Each pairs with an endpoint that
says whether the deployment is real: a signature checked under a published secret proves
nothing, so a Skyfare talking to a real card gateway while it still holds the dev webhook secret
would confirm (and ticket) any order for whoever signs `payment_intent.succeeded` themselves;
a real helpdesk with the dev helpdesk secret would run anyone's "agent" cancellations and name
corrections; travelers of a real identity provider would have their document numbers sealed
under a key anyone can read, and their usage hashed under a known secret.

An endpoint is the sim's when it is left unset (derived from SKYFARE_SIM_HOST/PORT, as compose
runs the sim beside the services) or names a loopback host (tests, `skyfare up`); set to
anything else it is a real deployment, and its dev secret refuses the start, naming the
variables (never a value).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from skyfare.settings_model import (
    DEV_HELPDESK_WEBHOOK_SECRET,
    DEV_USAGE_HASH_SECRET,
    DEV_WEBHOOK_SECRET,
    Settings,
)
from users.crypto import DEV_KEY as DEV_DOCUMENT_KEY


class DevSecretInProduction(RuntimeError):
    """A development secret is configured beside a real (non-sim) endpoint."""


def is_local(url: str) -> bool:
    """Whether `url` names a loopback host (`localhost`, 127.0.0.0/8, ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listed(setting: str, secret: str) -> bool:
    """`secret` is among the comma-separated values of `setting` (rotation lists)."""
    return secret in (value.strip() for value in setting.split(","))


def dev_secrets_in_use(settings: Settings, *, seals_documents: bool = True) -> list[str]:
    """One sentence per development secret paired with a real endpoint (empty: none).
    `seals_documents`: the process serves travelers' documents (the users routes); one that
    does not (the reports of `skyfare analytics`) checks their tokens without holding the key."""
    found: list[str] = []
    real_gateway = settings.payment_gateway_url is not None and not is_local(
        settings.payment_gateway_url
    )
    if real_gateway and _listed(settings.webhook_secret, DEV_WEBHOOK_SECRET):
        found.append(
            "SKYFARE_WEBHOOK_SECRET holds the development secret while "
            "SKYFARE_PAYMENT_GATEWAY_URL names a real gateway: anyone could sign its webhooks"
        )
    real_helpdesk = settings.helpdesk_url is not None and not is_local(settings.helpdesk_url)
    if real_helpdesk and _listed(settings.helpdesk_webhook_secret, DEV_HELPDESK_WEBHOOK_SECRET):
        found.append(
            "SKYFARE_HELPDESK_WEBHOOK_SECRET holds the development secret while "
            "SKYFARE_HELPDESK_URL names a real helpdesk: anyone could sign agents' actions"
        )
    real_issuer = settings.jwt_issuer is not None and not is_local(settings.jwt_issuer)
    dev_key = _listed(settings.users_document_key, DEV_DOCUMENT_KEY)
    if real_issuer and seals_documents and dev_key:
        found.append(
            "SKYFARE_USERS_DOCUMENT_KEY holds the development key while SKYFARE_JWT_ISSUER "
            "names a real identity provider: travelers' document numbers would be readable"
        )
    if real_issuer and settings.usage_hash_secret == DEV_USAGE_HASH_SECRET:
        found.append(
            "SKYFARE_USAGE_HASH_SECRET holds the development secret while SKYFARE_JWT_ISSUER "
            "names a real identity provider: travelers' hashes could be reversed"
        )
    return found


def check_dev_secrets(settings: Settings, *, seals_documents: bool = True) -> None:
    """`DevSecretInProduction` naming every development secret paired with a real endpoint."""
    found = dev_secrets_in_use(settings, seals_documents=seals_documents)
    if found:
        raise DevSecretInProduction("; ".join(found) + " (set a secret of your own)")
