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


@pytest.mark.parametrize(
    ("argv", "command", "unknown"),
    [
        (["serve", "--port", "1"], "serve", "--port 1"),
        (["up", "--port", "1"], "up", "--port 1"),
        (["partners", "list", "--all"], "partners list", "--all"),
    ],
)
def test_an_argument_a_command_does_not_take_is_refused_with_that_commands_usage(
    argv: list[str], command: str, unknown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    # Not the top-level usage, which lists the commands and none of their options.
    assert err.startswith(f"usage: skyfare {command} [-h]")
    assert err.endswith(f"skyfare {command}: error: unrecognized arguments: {unknown}\n")
