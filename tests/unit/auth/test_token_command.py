"""`skyfare token`'s arguments, and the hint `skyfare up` prints about it."""

from __future__ import annotations

import sys

import pytest

from skyfare.cli import _parser
from skyfare.devlogin import login_hint_line
from skyfare.devtoken import invoked_as, issuer_env, token_hint_line
from skyfare.settings import load_settings


def test_roles_repeat_and_the_lifetime_defaults_to_an_hour() -> None:
    args = _parser().parse_args(["token", "--sub", "alice", "--role", "support", "--role", "x"])

    assert (args.sub, args.roles, args.ttl) == ("alice", ["support", "x"], 3600)


def test_a_subject_is_required() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["token"])


@pytest.mark.parametrize("ttl", ["0", "-5", "soon"])
def test_a_lifetime_must_be_a_positive_whole_number(ttl: str) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["token", "--sub", "alice", "--ttl", ttl])


def test_the_up_hint_shows_the_command_and_a_curl_that_uses_it() -> None:
    line = token_hint_line("http://127.0.0.1:8080")

    assert "skyfare token --sub alice" in line
    assert 'Authorization: Bearer $(skyfare token --sub alice)" http://127.0.0.1:8080/' in line


def test_the_up_sign_in_hint_logs_in_a_seeded_user_and_uses_the_token() -> None:
    line = login_hint_line("http://127.0.0.1:8080", ".venv/bin/skyfare")

    login = ".venv/bin/skyfare login --email ada@example.com --password lovelace-1815"
    assert f'Authorization: Bearer $({login})" http://127.0.0.1:8080/v1/orders' in line


def test_the_up_hint_names_the_command_as_the_user_can_run_it() -> None:
    line = token_hint_line("http://127.0.0.1:8080", ".venv/bin/skyfare")

    assert "$(.venv/bin/skyfare token --sub alice)" in line


@pytest.mark.parametrize(
    ("argv0", "expected"),
    [
        ("skyfare", "skyfare"),  # found on the PATH: say it the same way
        ("/work/p/.venv/bin/skyfare", ".venv/bin/skyfare"),  # make run, from the repository
        ("/opt/skyfare/bin/skyfare", "/opt/skyfare/bin/skyfare"),
    ],
)
def test_the_command_is_named_relative_to_the_working_directory(argv0: str, expected: str) -> None:
    assert invoked_as(argv0, "/work/p") == expected


def test_run_as_a_module_the_command_names_the_module_not_its_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "/work/p/.venv/bin/python")

    said = invoked_as("/work/p/skyfare/cli.py", "/work/p")

    assert said == ".venv/bin/python -m skyfare.cli"


def test_the_hints_carry_a_moved_sim_port_so_they_work_from_another_shell() -> None:
    # A stack on SKYFARE_SIM_PORT=22000 printed `skyfare token --sub alice`: pasted into
    # another shell it asked port 9100 and said the sim was not running.
    moved = load_settings({"SKYFARE_PORT": "22080", "SKYFARE_SIM_PORT": "22000"})
    command = issuer_env(moved) + "skyfare"

    assert "$(SKYFARE_SIM_PORT=22000 skyfare token --sub alice)" in token_hint_line(
        "http://127.0.0.1:22080", command
    )
    assert "$(SKYFARE_SIM_PORT=22000 skyfare login --email" in login_hint_line(
        "http://127.0.0.1:22080", command
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ""),  # the defaults: nothing to carry
        ({"SKYFARE_SIM_HOST": "10.0.0.7"}, "SKYFARE_SIM_HOST=10.0.0.7 "),
        (
            {"SKYFARE_SIM_PORT": "22000", "SKYFARE_JWT_ISSUER": "https://login.example.com/"},
            "SKYFARE_JWT_ISSUER=https://login.example.com/ ",  # the sim is then not the issuer
        ),
    ],
)
def test_only_what_differs_from_the_defaults_is_carried(
    environ: dict[str, str], expected: str
) -> None:
    assert issuer_env(load_settings(environ)) == expected
