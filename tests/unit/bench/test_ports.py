"""`bench.processes.free_port`: the kernel's pick, or a port of `BENCH_PORTS` when set (helpers
sharing a machine each keep to their own ports), never one already taken or handed out."""

from __future__ import annotations

import socket

import pytest

from bench import processes


def test_without_a_range_the_kernel_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_PORTS", raising=False)
    assert 0 < processes.free_port() < 65536


def test_a_range_is_kept_to_and_no_port_is_handed_out_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as probe:  # a free stretch of 3 ports, found the kernel's way
        probe.bind(("127.0.0.1", 0))
        low = probe.getsockname()[1]
    monkeypatch.setattr(processes, "_handed_out", set())
    monkeypatch.setenv("BENCH_PORTS", f"{low}-{low + 2}")
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", low + 1))
        except OSError:
            pytest.skip("the stretch is not free on this machine")
        taken.listen()
        got = [processes.free_port(), processes.free_port()]
        assert got == [low, low + 2]  # low + 1 is taken
        with pytest.raises(RuntimeError, match="no free port"):
            processes.free_port()
