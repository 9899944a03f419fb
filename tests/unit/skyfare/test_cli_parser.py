from __future__ import annotations

import pytest

from skyfare.cli import _parser


@pytest.mark.parametrize("workers", ["-3", "two", "1.5"])
def test_a_worker_count_that_is_not_a_count_is_refused(workers: str) -> None:
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(["serve", "--workers", workers])
    assert exited.value.code == 2


@pytest.mark.parametrize(("workers", "count"), [("0", 0), ("4", 4)])
def test_a_worker_count_is_taken(workers: str, count: int) -> None:
    assert _parser().parse_args(["up", "--workers", workers]).workers == count
