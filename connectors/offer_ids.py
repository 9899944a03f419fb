"""Public offer ids: opaque to clients, they carry the connector and the airline's own offer id.

Keeping both in the id lets `GET /v1/offers/{id}` and booking reach the right airline without any
server-side state, so every API process can serve any offer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TypeVar

from kernel.errors import NotFound

PREFIX = "off_"
C = TypeVar("C")


class InvalidOfferId(ValueError):
    pass


def encode(source: str, supplier_offer_id: str) -> str:
    raw = f"{source}\x1f{supplier_offer_id}".encode()
    return PREFIX + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(offer_id: str) -> tuple[str, str]:
    """Return (connector name, supplier offer id); raise `InvalidOfferId` for anything else."""
    if not offer_id.startswith(PREFIX) or len(offer_id) > 2048:
        raise InvalidOfferId(offer_id)
    token = offer_id[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidOfferId(offer_id) from exc
    source, sep, supplier_id = raw.partition("\x1f")
    if not sep or not _plain(source) or not _plain(supplier_id):
        raise InvalidOfferId(offer_id)
    return source, supplier_id


def issuer(offer_id: str, connectors: Mapping[str, C]) -> tuple[str, C, str]:
    """The connector that issued `offer_id`: (its name, it, the airline's own offer id).

    `NotFound` for an id we did not issue or whose connector is not configured here: search,
    seat maps and booking all answer such an id the same way, as an offer that does not exist.
    """
    try:
        name, supplier_id = decode(offer_id)
    except InvalidOfferId as exc:
        raise _unknown(offer_id) from exc
    connector = connectors.get(name)
    if connector is None:
        raise _unknown(offer_id)
    return name, connector, supplier_id


def _unknown(offer_id: str) -> NotFound:
    # Made only when refused: a domain error's message is formatted at construction, and every
    # re-pricing of a hold asks `issuer` (0.6 % of the booking worker's samples, issue 18).
    return NotFound(f"unknown offer {offer_id[:80]!r}")


def _plain(part: str) -> bool:
    # Anyone can base64 a NUL byte or a control character; no airline id holds one, and the
    # SOAP and NDC connectors could not even put it into XML.
    return bool(part) and part.isascii() and part.isprintable()
