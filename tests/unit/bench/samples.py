"""A complete `Result` as the harness writes one, for the tests of what reads results."""

from __future__ import annotations

from bench.report import (
    Booking,
    Ceiling,
    Cold,
    Endpoint,
    Failure,
    Machine,
    Mixed,
    MixedRun,
    Result,
    Skipped,
    ToolCpu,
)


def result() -> Result:
    search = Endpoint("GET", "/v1/search", 900, 0, 30.0, 80.0, 150.0, 200.0, 90.0, 250.0)
    total = Endpoint("", "Aggregated", 1000, 2, 33.0, 75.0, 140.0, 190.0, 85.0, 250.0)
    run = MixedRun([search], total, [Failure("POST", "/v1/orders", "boom", 2)])
    return Result(
        date="2026-11-25",
        started_at="2026-11-25T00:00:00+00:00",
        sha="aaaaaaa",
        quick=False,
        command="python -m bench.harness",
        machine=Machine(
            hostname="vm",
            os="Linux 6",
            cpu_model="AMD EPYC",
            cpus=2,
            server_cores=[0],
            loadgen_cores=[1],
            sim_cores=[1],
            pinned=True,
            load_average_before=[0.5, 0.4, 0.3],
            load_average_after=[1.0, 0.8, 0.5],
            python="3.11.7",
            packages={"aiohttp": "3.14"},
            tools={"wrk": "wrk 4.1.0"},
            git_sha="a" * 40,
        ),
        commands={"ceiling": ["wrk -t1 -c64 -d8s URL"], "mixed": ["locust …"]},
        ceiling=Ceiling(
            workers=1,
            wrk="wrk -t1 -c64 -d8s",
            skyfare_rps=[12000.0, 12100.0],
            baseline_rps=[24000.0, 24100.0],
            skyfare_median_rps=12000.0,
            baseline_median_rps=24000.0,
            ratio=0.5,
            target=0.75,
            meets_target=False,
            non_2xx=0,
            response_bytes=9325,
            cpu=[ToolCpu("wrk (load generator)", 6.0, 16.0)],
        ),
        cold=Cold(
            route="LHR-JFK",
            rate=40.0,
            duration_s=20.0,
            airline_latency_ms={"britannia": 70.0},
            slowest_airline_ms=70.0,
            target_p50_over_ms=5.0,
            target_p99_over_ms=20.0,
            runs=[
                {
                    "p50": 74.0,
                    "p99": 80.0,
                    "p50_over_slowest_airline_ms": 4.0,
                    "p99_over_slowest_airline_ms": 10.0,
                    "errors": 0.0,
                }
            ],
            median={
                "p50": 74.0,
                "p99": 80.0,
                "p50_over_slowest_airline_ms": 4.0,
                "p99_over_slowest_airline_ms": 10.0,
                "errors": 0.0,
            },
        ),
        booking=Booking(
            concurrency=16,
            duration_s=10.0,
            runs=[{"api_orders_per_s": 100.0, "raw_orders_per_s": 1000.0, "api_p50_ms": 100.0}],
            median={"api_orders_per_s": 100.0, "raw_orders_per_s": 1000.0, "api_p50_ms": 100.0},
            ratio=0.1,
            statements=["INSERT …"],
        ),
        mixed=Mixed(
            users=100,
            spawn_rate=50.0,
            duration_s=45,
            user_classes=["Traveler"],
            runs=[run],
            median=[search],
            median_total=total,
        ),
        skipped=[Skipped("nothing", "an example")],
        wall_s=300.0,
    )
