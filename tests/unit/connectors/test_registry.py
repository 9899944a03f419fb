from typing import Any

import pytest

from connectors.ndc.connector import NdcConnector
from connectors.registry import UnknownConnectorKind, build_connectors
from connectors.resilience import ResiliencePolicy
from connectors.rest.connector import RestConnector
from connectors.soap.connector import SoapConnector
from skyfare.settings import ConnectorSettings


def rest(name: str = "rest-a", **fields: Any) -> ConnectorSettings:
    return ConnectorSettings(name=name, kind="rest", base_url="http://127.0.0.1:1", **fields)


def test_each_kind_is_built_by_its_protocol_and_wrapped_in_the_resilience_layer() -> None:
    configs = [
        rest(),
        ConnectorSettings(
            name="soap-a", kind="soap", base_url="http://x", username="u", password="p"
        ),
        ConnectorSettings(name="ndc-a", kind="ndc", base_url="http://x"),
    ]

    built = build_connectors(configs)

    assert [type(c.inner) for c in built] == [RestConnector, SoapConnector, NdcConnector]
    assert [(c.name, c.kind) for c in built] == [
        ("rest-a", "rest"),
        ("soap-a", "soap"),
        ("ndc-a", "ndc"),
    ]


def test_the_configured_policy_applies_with_the_bulkhead_sized_by_max_concurrency() -> None:
    policy = ResiliencePolicy(open_s=1.5, retries=0, hedge=True, max_concurrency=500)

    [connector] = build_connectors([rest(max_concurrency=8, resilience=policy)])

    assert connector.policy.open_s == 1.5
    assert connector.policy.retries == 0
    assert connector.policy.hedge is True
    assert connector.policy.max_concurrency == 8


def test_without_a_policy_the_defaults_apply_with_the_connectors_bulkhead() -> None:
    [connector] = build_connectors([rest(max_concurrency=12)])

    assert connector.policy == ResiliencePolicy(max_concurrency=12)


def test_policy_for_overrides_the_configured_policy() -> None:
    configured = rest(resilience=ResiliencePolicy(hedge=False))

    [connector] = build_connectors([configured], policy_for=lambda _: ResiliencePolicy(hedge=True))

    assert connector.policy.hedge is True
    assert connector.status().circuit_state == "closed"


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unique: rest-a"):
        build_connectors([rest(), rest()])


def test_an_unknown_kind_is_refused_naming_the_known_ones() -> None:
    class Config:
        name = "grpc-a"
        kind = "grpc"
        base_url = "http://x"
        timeout_s = 1.0
        max_concurrency = 1
        username = password = None
        resilience = None

    with pytest.raises(UnknownConnectorKind, match=r"'grpc'.*known: ndc, rest, soap"):
        build_connectors([Config()])


def test_a_soap_airline_without_credentials_is_refused() -> None:
    soap = ConnectorSettings(name="soap-a", kind="soap", base_url="http://x")

    with pytest.raises(ValueError, match="soap-a"):
        build_connectors([soap])
