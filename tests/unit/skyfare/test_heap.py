"""`skyfare.heap.settle`: what an API worker does to its garbage collector once it serves.

Each case runs in a fresh interpreter: freezing and thresholds are process-wide, and the test
process's own collector must stay as pytest expects it.
"""

import json
import subprocess
import sys
from typing import Any

PROBE = """
import gc, json, sys
from skyfare import heap
before = gc.get_threshold()
started_up = [{"start-up": i} for i in range(5000)]  # what a worker's start-up leaves alive
heap.settle(int(sys.argv[1]))
young = [{"request": i} for i in range(10)]
print(json.dumps({
    "before": before,
    "after": gc.get_threshold(),
    "frozen": gc.get_freeze_count(),
    "tracked_outside_frozen": sum(len(gc.get_objects(g)) for g in range(3)),
}))
"""


def settled(young_threshold: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(young_threshold)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def test_start_up_objects_are_frozen_out_of_every_later_collection() -> None:
    result = settled(10_000)
    assert result["frozen"] > 5000  # start-up's objects, never walked again
    assert result["tracked_outside_frozen"] < 1000  # what collections walk: the new ones


def test_young_collections_run_at_the_threshold_and_older_ones_keep_their_ratios() -> None:
    result = settled(10_000)
    assert result["after"] == [10_000, *result["before"][1:]]


def test_zero_keeps_cpython_s_collector_as_it_was() -> None:
    result = settled(0)
    assert result["after"] == result["before"]
    assert result["frozen"] == 0
