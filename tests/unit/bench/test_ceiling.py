"""bench.ceiling: reading wrk, the summary's arithmetic, finding a local server's processes."""

from __future__ import annotations

import os
import socket

import pytest

from bench.ceiling import _cpu_seconds, _server_pids, _summary, parse_wrk

WRK = """Running 8s test @ http://127.0.0.1:8090/v1/search?origin=LHR
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.55ms  201.23us   7.12ms   88.71%
    Req/Sec    41.32k     1.20k   43.10k    75.00%
  328870 requests in 8.00s, 2.91GB read
  Non-2xx or 3xx responses: 3
Requests/sec:  41108.21
Transfer/sec:    372.45MB
"""


def test_wrk_output_gives_rate_count_and_errors() -> None:
    assert parse_wrk(WRK) == {"requests_per_s": 41108.21, "requests": 328870, "non_2xx": 3}
    clean = WRK.replace("  Non-2xx or 3xx responses: 3\n", "")
    assert parse_wrk(clean)["non_2xx"] == 0


def test_unreadable_wrk_output_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="unexpected wrk output"):
        parse_wrk("unable to connect to 127.0.0.1:8090 Connection refused")


def test_the_ratio_is_of_the_medians_and_spread_says_how_noisy_the_turns_were() -> None:
    rps = {"skyfare": [30.0, 33.0, 36.0], "baseline": [40.0, 44.0, 60.0]}
    summary = _summary(rps, 0, {"skyfare": "s", "baseline": "b"}, 1, [0.1, 0.2, 0.3], 9, "wrk")
    assert summary["ratio"] == 0.75
    assert summary["meets_target"] is True
    assert summary["turn_ratios"] == [0.75, 0.75, 0.6]
    assert summary["spread"] == {"skyfare": round(6 / 33, 3), "baseline": round(20 / 44, 3)}


def test_the_processes_listening_on_a_local_port_are_found() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert _server_pids(f"http://127.0.0.1:{port}/v1/search") == [os.getpid()]
    assert _server_pids(f"http://example.com:{port}/") == []  # not local: not measurable
    assert _cpu_seconds([os.getpid()]) > 0
