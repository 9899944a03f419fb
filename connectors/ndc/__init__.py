"""The IATA NDC connector: XML over HTTP POST, parsed with lxml (see `NdcConnector`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.ndc.connector import NdcConnector

if TYPE_CHECKING:  # the registry imports this package: at run time the import would be circular
    from connectors.base import Connector
    from connectors.registry import ConnectorConfig


def build(config: ConnectorConfig) -> Connector:
    """The connector of one settings entry; `password`, when set, is the airline's API key."""
    return NdcConnector(
        config.name,
        config.base_url,
        max_timeout_s=config.timeout_s,
        max_connections=config.max_concurrency,
        api_key=config.password,
    )


__all__ = ["NdcConnector", "build"]
