"""Builds the configured connectors: adding an airline is a settings entry, not code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import msgspec

from connectors import ndc, soap
from connectors.base import Connector
from connectors.resilience import ResiliencePolicy, ResilientConnector
from connectors.rest.connector import RestConnector


class ConnectorConfig(Protocol):
    """What the registry reads of one connector's settings (skyfare.settings.ConnectorSettings)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout_s(self) -> float: ...
    @property
    def max_concurrency(self) -> int: ...
    @property
    def username(self) -> str | None: ...
    @property
    def password(self) -> str | None: ...
    @property
    def owner_code(self) -> str | None: ...
    @property
    def resilience(self) -> ResiliencePolicy | None: ...


class UnknownConnectorKind(ValueError):
    pass


def _rest(config: ConnectorConfig) -> Connector:
    return RestConnector(
        config.name,
        config.base_url,
        max_timeout_s=config.timeout_s,
        max_connections=config.max_concurrency,
    )


BUILDERS: dict[str, Callable[[ConnectorConfig], Connector]] = {
    "rest": _rest,
    "soap": soap.build,
    "ndc": ndc.build,
}


def build_connectors(
    configs: Sequence[ConnectorConfig],
    *,
    policy_for: Callable[[ConnectorConfig], ResiliencePolicy] | None = None,
    ndc_schema_folder: Path | None = None,
) -> list[ResilientConnector]:
    """One connector per config, each wrapped in the resilience layer.

    `policy_for` gives a connector's `ResiliencePolicy`; without it, the config's `resilience` (or
    the defaults) apply, with the bulkhead sized by the config's `max_concurrency`, which sizes the
    airline's connection pool too: a bulkhead wider than the pool would queue for connections.
    Raises `ValueError` for duplicate names and `UnknownConnectorKind` for a kind without a builder.
    `ndc_schema_folder` turns on checking every NDC answer against IATA's schemas there.
    """
    names = [c.name for c in configs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"connector names must be unique: {', '.join(duplicated)}")
    built = []
    for config in configs:
        builder = BUILDERS.get(config.kind)
        if builder is None:
            raise UnknownConnectorKind(
                f"connector {config.name!r}: unknown kind {config.kind!r} "
                f"(known: {', '.join(sorted(BUILDERS))})"
            )
        if policy_for is not None:
            policy = policy_for(config)
        else:
            policy = msgspec.structs.replace(
                config.resilience or ResiliencePolicy(), max_concurrency=config.max_concurrency
            )
        connector = (
            ndc.build(config, schema_folder=ndc_schema_folder)
            if config.kind == "ndc"
            else builder(config)
        )
        built.append(ResilientConnector(connector, policy))
    return built
