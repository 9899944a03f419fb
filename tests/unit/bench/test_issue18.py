"""Issue 18's table, the ceiling rows it reads and the default comparison of `bench.compare`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import msgspec

from bench import ceilings, issue18
from bench.compare import diff, last_committed
from bench.report import Bulk, Ceilings, encode
from bench.summary import ceilings_table
from tests.unit.bench.samples import result

TARGETS = {
    "skyfare_get_1w": ceilings.Target("http://127.0.0.1:1/v1/search?q"),
    "bare_get_1w": ceilings.Target("http://127.0.0.1:2/v1/search?q"),
    "skyfare_post_1w": ceilings.Target("http://127.0.0.1:1/v1/search", "POST", b"{}"),
    "bare_post_1w": ceilings.Target("http://127.0.0.1:2/v1/search", "POST", b"{}"),
    "skyfare_get_2w": ceilings.Target("http://127.0.0.1:3/v1/search?q", workers=2),
    "bare_get_2w": ceilings.Target("http://127.0.0.1:4/v1/search?q", workers=2),
}
RPS = {
    "skyfare_get_1w": [900.0, 950.0, 920.0],
    "bare_get_1w": [1000.0, 1000.0, 1000.0],
    "skyfare_post_1w": [700.0, 800.0, 750.0],
    "bare_post_1w": [1000.0, 990.0, 1000.0],
    "skyfare_get_2w": [1500.0, 1400.0, 1450.0],
    "bare_get_2w": [1800.0, 1700.0, 1750.0],
}
CPU = {name: [30.0, 30.0, 30.0] if "skyfare" in name else [27.0] * 3 for name in RPS}


def _with_rows() -> Ceilings:
    return Ceilings(
        wrk="wrk -t1 -c64 -d6s",
        turns=3,
        seconds=6,
        response_bytes=9000,
        rows=ceilings.rows(RPS, CPU, TARGETS),
        scaling=ceilings.scaling(RPS),
    )


def test_each_row_is_the_ratio_of_the_medians_of_its_two_targets() -> None:
    table = _with_rows()
    get, post, two = (table.row(name) for name in ("get_1w", "post_1w", "get_2w"))

    assert get is not None
    assert post is not None
    assert two is not None
    assert (get.ratio, get.meets_target) == (0.92, True)  # 920 / 1000, target 0.90
    assert (post.ratio, post.meets_target, post.method) == (0.75, False, "POST")
    assert (two.ratio, two.workers, two.cpu_ratio) == (0.829, 2, 0.9)
    assert table.scaling == round(1450 / 920, 3)


def test_the_issue_table_says_met_per_row_and_not_measured_for_what_did_not_run() -> None:
    bulk = Bulk(
        queries=1000,
        distinct=100,
        requests=20,
        runs=[],
        median={"first_ms": 1.5, "last_ms": 12.0, "first_p90_ms": 2.0, "last_p90_ms": 15.0},
    )
    found = msgspec.structs.replace(result(), ceilings=_with_rows(), bulk=bulk, booking=None)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in issue18.table(found)[4:]}

    def row(start: str) -> str:
        return next(line for name, line in rows.items() if name.startswith(start))

    assert row("cached `GET").endswith("| met |")
    assert "**not met**" in row("cached `POST")
    assert "2 ÷ 1 worker 1.58" in row("the same with 2 workers")  # ratio 0.83 < 0.85 too
    assert "1.5 / 12.0 ms" in row("bulk fares")
    assert "**not met**" in row("bulk fares")
    for name in ("booking", "notifications", "API worker RSS"):
        assert issue18.NOT_MEASURED in row(name)
        assert row(name).endswith("| — |")


def test_without_arguments_compare_takes_the_last_committed_result(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    old = result()
    new = msgspec.structs.replace(old, started_at="2026-12-03T00:00:00+00:00", sha="bbbbbbb")
    git("init", "-q")
    (tmp_path / "old.json").write_bytes(encode(old))
    (tmp_path / "other.json").write_text('{"ratio": 0.5}')  # another benchmark's file
    git("add", "old.json", "other.json")
    (tmp_path / "new.json").write_bytes(encode(new))  # written by this run, not committed

    found = last_committed(tmp_path, exclude=tmp_path / "new.json")

    assert found == tmp_path / "old.json"
    assert diff(old, new)  # and the two compare figure by figure


def test_the_bare_handlers_own_scaling_is_reported_beside_skyfares() -> None:
    table = msgspec.structs.replace(_with_rows(), baseline_scaling=ceilings.scaling(RPS, "bare"))
    assert table.baseline_scaling == round(1750 / 1000, 3)
    found = msgspec.structs.replace(result(), ceilings=table)
    two = next(line for line in issue18.table(found) if "2 ÷ 1 worker" in line)
    assert "2 ÷ 1 worker 1.58 (bare handler 1.75)" in two
    text = "\n".join(ceilings_table(table))
    assert "the bare handler's on the same cores 1.75" in text
    assert "scales 0.90× as well as it does" in text  # 1.576 / 1.75


def test_the_core_budget_says_what_the_scaling_target_asks_of_the_cores() -> None:
    # 1.6 × 920 req/s = 1,472 req/s; the workers at 30 µs, wrk at 1,000 µs a request.
    side = ceilings.SideCpu(wrk_us={"skyfare_get_2w": [900.0, 1000.0, 1100.0]})
    budget = ceilings.core_budget(RPS, CPU, side, 2)

    assert budget is not None
    assert (budget.target_rps, budget.server_us, budget.wrk_us) == (1472.0, 30.0, 1000.0)
    assert (budget.server_cores, budget.wrk_cores, budget.rest_cores) == (0.04, 1.47, None)
    table = msgspec.structs.replace(_with_rows(), core_budget=budget)
    assert ceilings_table(table)[-1] == (
        "Core budget of 1.6 × 1 worker (1,472 req/s) on 2 workers: the API workers at 30 µs a "
        "request need 0.04 cores, wrk, the load generator, at 1000 µs a request 1.47: "
        "1.51 cores, within the 2 cores there are (PostgreSQL, Redis and the consumers not "
        "counted)."
    )
    found = msgspec.structs.replace(result(), ceilings=table)
    two = next(line for line in issue18.table(found) if "2 ÷ 1 worker" in line)
    assert "; 1.6× would need 1.51 cores (API workers 0.04 + wrk 1.47) of 2" in two


def test_the_rest_of_the_stack_counts_in_the_core_budget() -> None:
    side = ceilings.SideCpu(
        wrk_us={"skyfare_get_2w": [1000.0]}, beside_us={"skyfare_get_2w": [400.0, 300.0, 350.0]}
    )
    budget = ceilings.core_budget(RPS, CPU, side, 2)

    assert budget is not None
    assert (budget.rest_us, budget.rest_cores, budget.needed_cores) == (350.0, 0.52, 2.03)
    line = ceilings_table(msgspec.structs.replace(_with_rows(), core_budget=budget))[-1]
    assert line.endswith(
        "wrk, the load generator, at 1000 µs a request 1.47, and the rest of the stack "
        "(PostgreSQL, Redis, the consumers, the supervisor) at 350 µs 0.52: 2.03 cores, more "
        "than the 2 cores there are: no placement reaches the target on this machine."
    )
    table = msgspec.structs.replace(_with_rows(), core_budget=budget)
    found = msgspec.structs.replace(result(), ceilings=table)
    two = next(line for line in issue18.table(found) if "2 ÷ 1 worker" in line)
    assert "(API workers 0.04 + wrk 1.47 + the rest 0.52) of 2" in two


def test_no_core_budget_without_wrk_cpu_of_the_two_worker_turns() -> None:
    assert ceilings.core_budget(RPS, CPU, ceilings.SideCpu(), 2) is None
    assert not any(line.startswith("Core budget") for line in ceilings_table(_with_rows()))


def test_the_core_budget_says_how_busy_the_machine_was_in_the_two_worker_turns() -> None:
    side = ceilings.SideCpu(
        wrk_us={"skyfare_get_2w": [1000.0]}, busy_cores={"skyfare_get_2w": [1.9, 1.97, 1.95]}
    )
    budget = ceilings.core_budget(RPS, CPU, side, 2)

    assert budget is not None
    assert budget.busy_cores == 1.95
    line = ceilings_table(msgspec.structs.replace(_with_rows(), core_budget=budget))[-1]
    assert line.endswith(
        "As the 2-worker turns ran, 1.95 of the machine's 2 cores were busy (/proc/stat: every "
        "process and the kernel's own work)."
    )


def test_a_turn_records_how_many_of_the_machines_cores_were_busy() -> None:
    side = ceilings.SideCpu()
    started = side.start("skyfare_get_2w")
    deadline = time.process_time() + 0.1
    while time.process_time() < deadline:  # this process busy for a while
        pass
    side.stop("skyfare_get_2w", started, 1000.0)

    busy = side.busy_cores["skyfare_get_2w"][0]
    assert 0.0 < busy <= (os.cpu_count() or 1)
