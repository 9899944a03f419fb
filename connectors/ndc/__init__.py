"""The IATA NDC 21.3 connector: XML over HTTP POST, parsed with lxml (see `NdcConnector`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from connectors.ndc.connector import NdcConnector

if TYPE_CHECKING:  # the registry imports this package: at run time the import would be circular
    from connectors.base import Connector
    from connectors.registry import ConnectorConfig


def build(config: ConnectorConfig, *, schema_folder: Path | None = None) -> Connector:
    """The connector of one settings entry; `password`, when set, is the airline's API key.
    With `schema_folder` every answer is checked against IATA's NDC 21.3 schemas there."""
    return NdcConnector(
        config.name,
        config.base_url,
        max_timeout_s=config.timeout_s,
        max_connections=config.max_concurrency,
        api_key=config.password,
        owner_code=config.owner_code,
        schema_folder=schema_folder,
    )


__all__ = ["NdcConnector", "build"]
