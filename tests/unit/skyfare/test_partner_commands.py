"""`skyfare partners create` refuses, as a usage error (exit 2), what the table cannot hold or
what would break its listing, before it asks the database anything; `partners list` shows each
rate as `--rate` takes it."""

from __future__ import annotations

import pytest

from skyfare.cli import _parser, _print_partners
from skyfare.partners import Partner
from skyfare.ratelimit import parse_rate


def _usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(["partners", "create", *args])
    assert exited.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("name", ["", "   ", "acme\nrogue\tsk_live_x", " acme", "acme\x00"])
def test_a_blank_or_unprintable_partner_name_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    # An empty name reached PostgreSQL's check, whose message printed the new key's prefix and
    # hash; a newline or tab in one broke the tab-separated `partners list` scripts read.
    assert "argument --name" in _usage_error(capsys, "--name", name)


def test_a_burst_the_table_cannot_hold_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Was: "skyfare: invalid input for query argument $5: … (value out of int32 range)".
    assert "argument --burst" in _usage_error(capsys, "--name", "acme", "--burst", "99999999999")


def test_a_rate_whose_default_burst_the_table_cannot_hold_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _usage_error(capsys, "--name", "acme", "--rate", "100000000000000000000/s")
    assert "argument --rate" in err


def test_an_ordinary_partner_is_accepted() -> None:
    args = _parser().parse_args(
        ["partners", "create", "--name", "Acme Travel", "--rate", "3000/min", "--burst", "80"]
    )
    assert (args.name, args.rate, args.burst) == ("Acme Travel", 50.0, 80)


def test_partners_list_shows_each_rate_as_it_was_given(capsys: pytest.CaptureFixture[str]) -> None:
    partners = [
        Partner(1, "slow", "sk_live_abcd", parse_rate("2/min"), 2),
        Partner(2, "fast", "sk_live_efgh", parse_rate("3000/min"), 50, revoked=True),
    ]

    _print_partners(partners)  # not a terminal here: one tab-separated line each

    assert capsys.readouterr().out.splitlines() == [
        "slow\tsk_live_abcd…\t2/min\tburst 2\tactive",  # was 0.0333333/s
        "fast\tsk_live_efgh…\t50/s\tburst 50\trevoked",
    ]


@pytest.mark.parametrize(
    ("given", "seconds"), [("0", 0), ("90", 90), ("30m", 1800), ("7d", 604800)]
)
def test_a_rotation_overlap_is_read_in_its_unit(given: str, seconds: int) -> None:
    args = _parser().parse_args(["partners", "rotate", "--name", "acme", "--overlap", given])
    assert args.overlap == seconds


@pytest.mark.parametrize("given", ["", "-1h", "1.5h", "24 h", "31d", "1w"])
def test_a_malformed_or_endless_overlap_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], given: str
) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["partners", "rotate", "--name", "acme", "--overlap", given])
    assert "argument --overlap" in capsys.readouterr().err
