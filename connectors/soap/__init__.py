"""The SOAP (OpenTravel 2003/05) airline connector and its registry builder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.soap.connector import SoapConnector
from connectors.soap.mapping import CredentialsRejected

if TYPE_CHECKING:
    from connectors.base import Connector
    from connectors.registry import ConnectorConfig


def build(config: ConnectorConfig) -> Connector:
    """A `SoapConnector` from a connector's settings; SOAP airlines require credentials."""
    if not config.username or not config.password:
        raise ValueError(f"connector {config.name!r}: a SOAP airline needs username and password")
    return SoapConnector(
        config.name,
        config.base_url,
        username=config.username,
        password=config.password,
        max_timeout_s=config.timeout_s,
        max_connections=config.max_concurrency,
    )


__all__ = ["CredentialsRejected", "SoapConnector", "build"]
