"""Rate parsing and the RateLimit-* headers (the GCRA itself runs in Redis: integration tests)."""

from __future__ import annotations

import pytest

from skyfare.ratelimit import Decision, describe_rate, parse_rate, rate_limit_headers


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("50/s", 50.0),
        ("3000/min", 50.0),
        ("36000/h", 10.0),
        (" 2.5 / sec ", 2.5),
        ("90/M", 1.5),
    ],
)
def test_rates_parse_to_requests_per_second(text: str, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["50", "50/day", "/s", "-1/s", "0/s", "fifty/s", ""])
def test_malformed_or_zero_rates_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


def test_headers_round_the_reset_up_to_whole_seconds() -> None:
    decision = Decision(allowed=True, limit=100, remaining=42, retry_after_s=0.0, reset_after_s=1.2)
    assert rate_limit_headers(decision) == {
        "RateLimit-Limit": "100",
        "RateLimit-Remaining": "42",
        "RateLimit-Reset": "2",
    }


@pytest.mark.parametrize(
    ("rate", "said"),
    [
        ("50/s", "50 requests/s"),
        ("1/s", "1 request/s"),
        ("2/min", "2 requests/min"),
        ("3000/min", "50 requests/s"),
        ("90/min", "90 requests/min"),
        ("1/h", "1 request/h"),
        ("10000/h", "10000 requests/h"),
        ("1.5/s", "90 requests/min"),
        ("0.5/h", "0.5 requests/h"),
    ],
)
def test_a_rate_is_described_in_the_unit_that_reads_as_a_whole(rate: str, said: str) -> None:
    assert describe_rate(parse_rate(rate)) == said
