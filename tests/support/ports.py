"""Free local ports for the servers a test starts, and waiting until one listens."""

from __future__ import annotations

import random
import socket
import time


def bindable(port: int) -> bool:
    """Whether 127.0.0.1:`port` can be bound now (nothing holds it)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing listens on now (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def free_ports_with_bus(count: int, *, bus_offset: int = 10_000) -> list[int]:
    """`count` free ports whose `port + bus_offset` is free too (a Redis Cluster node listens on
    both), below the kernel's ephemeral range (an outgoing connection cannot take one) and
    outside 20000-20999, where people start servers by hand."""
    chosen: list[int] = []
    candidates = random.sample(range(11_000, 20_000), 2_000)
    for port in candidates:
        if port + bus_offset in chosen or port - bus_offset in chosen:
            continue
        if bindable(port) and bindable(port + bus_offset):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise RuntimeError(f"no {count} free ports with their bus ports")


def wait_for_port(port: int, *, timeout: float, alive: object = None) -> None:
    """Block until 127.0.0.1:`port` accepts a connection, or raise after `timeout` seconds.
    `alive`: a callable that says whether the server's process still runs (fail fast if not)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            if callable(alive) and not alive():
                raise RuntimeError(f"the server for port {port} exited") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {timeout} s") from None
            time.sleep(0.05)
