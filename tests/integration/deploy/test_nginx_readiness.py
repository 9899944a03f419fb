"""The gateway tests' nginx (tests/support/gateway.py `running_nginx`) is ready when it bound its
ports itself: another process's listener on one of them is no sign of it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from skyfare.gateway import write_config
from tests.support.gateway import accepts, gateway_layout, gateway_prerequisites, running_nginx
from tests.support.ports import free_port


async def test_nginx_is_not_taken_as_ready_because_another_process_listens_on_its_port(
    database_url: str, tmp_path: Path
) -> None:
    await gateway_prerequisites(database_url)
    layout = gateway_layout(search_ports=(free_port(),), booking_port=free_port())
    with socket.socket() as foreign:  # what a port taken meanwhile by another worker looks like
        foreign.bind(("127.0.0.1", layout.https_port))
        foreign.listen()
        assert await accepts(layout.https_port)
        # Raised before the block runs: nginx could not bind, said so, and exited.
        with pytest.raises(AssertionError, match="Address already in use"):
            async with running_nginx(write_config(layout, tmp_path)):
                pass


async def test_nginx_is_ready_with_both_of_its_ports_bound(
    database_url: str, tmp_path: Path
) -> None:
    await gateway_prerequisites(database_url)
    layout = gateway_layout(search_ports=(free_port(),), booking_port=free_port())
    async with running_nginx(write_config(layout, tmp_path)):
        # The HTTPS port and the plain HTTP one (the payment gateway's webhooks come there).
        assert await accepts(layout.https_port)
        assert await accepts(layout.http_port)
    assert not await accepts(layout.https_port)
