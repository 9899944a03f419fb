"""The booking step's CPU per order (issue 18): which processes, and the raw ÷ API ratio."""

from __future__ import annotations

from pathlib import Path

import msgspec

from bench import issue18, summary
from bench.booking_rate import parse_cpu
from bench.compare import headline
from bench.harness_booking import _commands, cpu_ratio
from bench.harness_stack import Stack
from bench.report import Booking, Result
from bench.summary import booking_table
from tests.unit.bench.samples import result

MEDIAN = {
    "api_orders_per_s": 30.0,
    "raw_orders_per_s": 400.0,
    "api_cpu_ms_per_ok_api_workers": 8.0,
    "api_cpu_ms_per_ok_postgresql": 2.0,
    "raw_cpu_ms_per_ok_client": 0.5,
    "raw_cpu_ms_per_ok_postgresql": 1.5,
}


def test_processes_are_named_with_their_pids() -> None:
    assert parse_cpu(["api_workers=12+13", "postgresql=40"]) == {
        "api_workers": [12, 13],
        "postgresql": [40],
    }


def test_the_cpu_ratio_is_the_raw_sides_cost_over_the_apis() -> None:
    assert cpu_ratio(MEDIAN) == 0.2  # (0.5 + 1.5) / (8 + 2)
    assert cpu_ratio({k: v for k, v in MEDIAN.items() if "postgresql" not in k}) is None


def test_the_summary_shows_the_cpu_per_order_and_its_ratio() -> None:
    booking = Booking(
        concurrency=16,
        duration_s=10,
        runs=[MEDIAN],
        median=MEDIAN,
        ratio=0.075,
        cpu_ratio=cpu_ratio(MEDIAN),
    )

    text = "\n".join(booking_table(booking))

    assert "API worker 8 + PostgreSQL 2, raw loop 0.5 + PostgreSQL 1.5" in text
    assert "CPU ratio raw ÷ API **0.20**" in text


def test_the_summary_names_the_placement_when_the_run_recorded_one() -> None:
    booking = Booking(concurrency=16, duration_s=10, runs=[MEDIAN], median=MEDIAN, ratio=0.075)
    placed = msgspec.structs.replace(booking, placement="core(s) 0: the API worker, PostgreSQL")

    assert "Placement: core(s) 0: the API worker, PostgreSQL." in booking_table(placed)
    assert not any(line.startswith("Placement") for line in booking_table(booking))


def test_the_summary_shows_each_processs_kernel_part_where_it_was_measured() -> None:
    measured = {
        **MEDIAN,
        "api_cpu_ms_per_ok_api_workers_kernel": 0.9,
        "api_cpu_ms_per_ok_postgresql_kernel": 0.4,
        "raw_cpu_ms_per_ok_client_kernel": 0.05,
        "raw_cpu_ms_per_ok_postgresql_kernel": 0.3,
    }
    booking = Booking(concurrency=16, duration_s=10, runs=[measured], median=measured, ratio=0.075)
    older = Booking(concurrency=16, duration_s=10, runs=[MEDIAN], median=MEDIAN, ratio=0.075)

    text = "\n".join(booking_table(msgspec.structs.replace(booking, cpu_ratio=0.2)))

    assert (
        "In the kernel (system time), CPU ms per order made: `POST /v1/orders`: api workers 0.9"
        " of 8, postgresql 0.4 of 2; raw loop: client 0.05 of 0.5, postgresql 0.3 of 1.5."
    ) in text
    older_text = booking_table(msgspec.structs.replace(older, cpu_ratio=0.2))
    assert not any("In the kernel" in line for line in older_text)


BARE = {
    **MEDIAN,
    "bare_orders_per_s": 180.0,
    "bare_cpu_ms_per_ok_bare_server": 1.1,
    "bare_cpu_ms_per_ok_postgresql": 1.2,
    "bare_cpu_ms_per_ok_redis": 0.08,
    "api_cpu_ms_per_ok_redis": 0.3,
}


def result_with(booking: Booking) -> Result:
    return msgspec.structs.replace(result(), booking=booking)


def test_the_booking_row_reads_the_api_against_the_bare_hold_where_it_ran() -> None:
    booking = Booking(
        concurrency=16, duration_s=10, runs=[BARE], median=BARE, ratio=0.075, bare_ratio=0.45
    )
    older = Booking(concurrency=16, duration_s=10, runs=[MEDIAN], median=MEDIAN, ratio=0.075)

    row = summary._booking_row(booking)

    assert "the bare hold (its I/O, no Skyfare code) 180 orders/s, 0.45 of the raw loop" in row
    assert "the API makes 0.17 of it" in row  # 30 / 180
    assert "bare hold" not in summary._booking_row(older)
    assert issue18._booking(result_with(booking)) == (
        "0.07 (30 / 400 orders/s); the bare hold's 0.45",
        False,
    )
    assert headline(result_with(booking))["booking.bare_ratio"] == 0.45
    assert "booking.bare_ratio" not in headline(result_with(older))


def test_the_cpu_table_has_the_bare_holds_row_and_its_cpu_per_order() -> None:
    booking = Booking(
        concurrency=16, duration_s=10, runs=[BARE], median=BARE, ratio=0.075, bare_ratio=0.45
    )

    text = "\n".join(booking_table(msgspec.structs.replace(booking, cpu_ratio=0.2)))

    assert "The bare hold: its server 1.1 + PostgreSQL 1.2 + Redis 0.08 (the API's Redis: 0.3)" in (
        text
    )


def test_the_step_lists_the_bare_holds_commands_only_when_it_ran() -> None:
    stack = Stack(
        url="http://127.0.0.1:1", sim_url="http://127.0.0.1:2", port=1, sim_port=2,
        data_dir=Path("/tmp/s"), env={}, pid=1, command=["skyfare up"],
    )  # fmt: skip
    secret = {"postgresql://db": "$DATABASE_URL"}
    raw = ["python", "-m", "bench.booking_rate", "raw", "--database-url", "postgresql://db"]
    bare = [["python", "-m", "bench.bare_hold"], ["python", "-m", "bench.booking_rate", "bare"]]

    with_floor = _commands(stack, [["api"], raw, *bare], [], secret)
    without = _commands(stack, [["api"], raw], [], secret)

    assert any("bench.bare_hold" in line for line in with_floor)
    assert not any("bare" in line for line in without)
    assert not any("postgresql://db" in line for line in with_floor + without)
