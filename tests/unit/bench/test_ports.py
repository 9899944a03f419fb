"""`bench.processes.free_port`: the kernel's pick, or a port of `BENCH_PORTS` when set (helpers
sharing a machine each keep to their own ports), never one already taken or handed out."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from bench import processes
from tests.support.ports import bindable

TRIES = 20


def test_without_a_range_the_kernel_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_PORTS", raising=False)
    assert 0 < processes.free_port() < 65536


@contextmanager
def _stretch_with_its_middle_taken() -> Iterator[int]:
    """The lowest port of a stretch of 3 whose ends are free and whose middle this holds
    (listening) until the block ends: the kernel picks the low end, and a stretch whose other
    ports another program holds is given up for the next pick (the machine is shared)."""
    for _ in range(TRIES):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            low: int = probe.getsockname()[1]
        if low + 2 > 65535:
            continue
        with socket.socket() as taken:
            with suppress(OSError):
                taken.bind(("127.0.0.1", low + 1))
                taken.listen()
            if taken.getsockname()[1] == low + 1 and bindable(low) and bindable(low + 2):
                yield low
                return
    pytest.fail(f"no stretch of 3 free ports in {TRIES} of the kernel's picks")


def test_a_range_is_kept_to_and_no_port_is_handed_out_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(processes, "_handed_out", set())
    with _stretch_with_its_middle_taken() as low:
        monkeypatch.setenv("BENCH_PORTS", f"{low}-{low + 2}")
        got = [processes.free_port(), processes.free_port()]
        assert got == [low, low + 2]  # low + 1 is taken
        with pytest.raises(RuntimeError, match="no free port"):
            processes.free_port()
