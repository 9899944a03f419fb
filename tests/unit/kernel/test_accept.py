"""`prefers_media_type`: a client gets a media type other than JSON only when it prefers it."""

from __future__ import annotations

import pytest

from kernel.http import prefers_media_type

NDJSON = "application/x-ndjson"


@pytest.mark.parametrize(
    ("accept", "prefers"),
    [
        ("application/x-ndjson", True),
        ("application/x-ndjson, application/json", True),
        ("Application/X-NDJSON ; q=0.8", True),
        ("application/x-ndjson;q=0", False),
        ("application/json, application/x-ndjson;q=0", False),
        ("application/json;q=0.9, application/x-ndjson;q=0.5", False),
        ("application/x-ndjson;q=0.5, */*", False),
        ("application/x-ndjson;q=0.5, application/problem+json", False),
        ("application/x-ndjson;q=garbled", False),
        ("application/x-ndjsonx", False),
        ("", False),
    ],
)
def test_the_stream_is_chosen_only_when_named_at_least_as_high_as_json(
    accept: str, prefers: bool
) -> None:
    assert prefers_media_type(accept, NDJSON) is prefers
