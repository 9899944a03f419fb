"""The IATA NDC connector: XML over HTTP POST, parsed with lxml (see `NdcConnector`)."""

from __future__ import annotations

from typing import Protocol

from connectors.base import Connector
from connectors.ndc.connector import NdcConnector


class NdcConfig(Protocol):
    """What `build` reads of `connectors.registry.ConnectorConfig` (a structural subset)."""

    @property
    def name(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout_s(self) -> float: ...
    @property
    def max_concurrency(self) -> int: ...
    @property
    def password(self) -> str | None: ...


def build(config: NdcConfig) -> Connector:
    """The connector of one settings entry; `password`, when set, is the airline's API key."""
    return NdcConnector(
        config.name,
        config.base_url,
        max_timeout_s=config.timeout_s,
        max_connections=config.max_concurrency,
        api_key=config.password,
    )


__all__ = ["NdcConnector", "build"]
