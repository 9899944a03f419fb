"""`skyfare token`'s arguments, and the hint `skyfare up` prints about it."""

from __future__ import annotations

import pytest

from skyfare.cli import _parser
from skyfare.devtoken import token_hint_line


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
