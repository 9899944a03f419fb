from __future__ import annotations

import argparse

import pytest

from skyfare.cli_analytics import stream_id


@pytest.mark.parametrize(
    ("text", "parsed"), [("1764000000000-0", "1764000000000-0"), ("17", "17-0")]
)
def test_a_stream_id_is_read_whole(text: str, parsed: str) -> None:
    assert stream_id(text) == parsed


@pytest.mark.parametrize(
    "text", ["-1", "17-", "x-0", "18446744073709551616-0", "1-18446744073709551616"]
)
def test_what_redis_would_refuse_is_not_a_stream_id(text: str) -> None:
    # Past 64 bits the replay failed at Redis with a traceback, after rewriting the store.
    with pytest.raises(argparse.ArgumentTypeError, match="is not a stream id"):
        stream_id(text)
