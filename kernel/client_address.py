"""The client's address, through the reverse proxies we trust (`SKYFARE_TRUSTED_PROXIES`).

Behind the gateway (deploy/nginx) every request's peer is the gateway, so a limit keyed on the
peer (anonymous support cases, per address) is one bucket shared by the whole Internet: one
client spending it shuts everyone else out. The gateway appends the peer it saw to
`X-Forwarded-For`; that header is believed only when our peer is a trusted proxy, and only as
far as the proxies in it are trusted: read from the right, the first address that is not a
trusted proxy is the client (what a client writes itself is further left and never read). An
entry that is not an address stops the walk at the last trusted hop, and without trusted proxies
(the default) the header is ignored and the peer is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The proxies whose X-Forwarded-For is believed; set by the composition root from settings.
TRUSTED_PROXIES: web.AppKey[tuple[Network, ...]] = web.AppKey("trusted_proxies")

# Far above a real chain of proxies: a longer header is not walked past this many hops.
MAX_HOPS = 16


def parse_networks(setting: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR blocks; ValueError naming the first that is neither."""
    networks: list[Network] = []
    for item in (part.strip() for part in setting.split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def client_of(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: `peer`, unless it is a trusted proxy and `forwarded_for` (the
    X-Forwarded-For header values, in order) names one beyond it (see the module docstring)."""
    client = peer or ""
    hop = _address(client)
    if hop is None or not trusted or not _trusted(hop, trusted):
        return client
    entries = [e for value in forwarded_for for e in value.split(",")][-MAX_HOPS:]
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            return client  # garbled: the last trusted hop is all we know
        client = str(address)
        if not _trusted(address, trusted):
            return client
    return client


def client_address(request: web.Request) -> str:
    """The address of the client `request` came from (see `client_of`)."""
    trusted = request.config_dict.get(TRUSTED_PROXIES, ())
    return client_of(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)
