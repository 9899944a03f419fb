"""Whose address a request is, through trusted proxies only (kernel/client_address.py)."""

from __future__ import annotations

import pytest

from kernel.client_address import client_of, parse_networks

GATEWAY = parse_networks("10.0.0.0/8, 127.0.0.1")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_of("127.0.0.1", ["203.0.113.7"], ()) == "127.0.0.1"


def test_a_trusted_gateway_names_the_client_it_saw() -> None:
    assert client_of("10.1.2.3", ["203.0.113.7"], GATEWAY) == "203.0.113.7"


def test_a_peer_that_is_no_trusted_proxy_is_the_client_whatever_it_sends() -> None:
    assert client_of("198.51.100.1", ["203.0.113.7"], GATEWAY) == "198.51.100.1"


def test_what_a_client_writes_itself_is_left_of_what_the_gateway_appended() -> None:
    # The client sent "X-Forwarded-For: 192.0.2.1"; nginx appended the address it saw.
    assert client_of("10.1.2.3", ["192.0.2.1, 203.0.113.7"], GATEWAY) == "203.0.113.7"


def test_trusted_hops_are_skipped_from_the_right_across_header_lines() -> None:
    assert client_of("127.0.0.1", ["203.0.113.7, 10.9.9.9", "10.1.1.1"], GATEWAY) == ("203.0.113.7")


@pytest.mark.parametrize("garbled", ["unknown", "", "203.0.113.7:443", "_hidden"])
def test_an_entry_that_is_no_address_stops_at_the_last_trusted_hop(garbled: str) -> None:
    assert client_of("10.1.2.3", [f"192.0.2.1, {garbled}"], GATEWAY) == "10.1.2.3"


def test_only_trusted_hops_name_the_leftmost() -> None:
    assert client_of("10.1.2.3", ["10.4.4.4, 10.5.5.5"], GATEWAY) == "10.4.4.4"


def test_ipv6_clients_and_no_peer() -> None:
    assert client_of("10.1.2.3", ["2001:db8::1"], GATEWAY) == "2001:db8::1"
    assert client_of(None, ["203.0.113.7"], GATEWAY) == ""


def test_a_bad_setting_names_the_item() -> None:
    with pytest.raises(ValueError, match="'gateway'"):
        parse_networks("10.0.0.0/8, gateway")
