"""`prefers_media_type`: a client gets a media type other than JSON only when it prefers it;
`admits_media_type`: whether a client takes a media type at all."""

from __future__ import annotations

import pytest

from kernel.accept import admits_media_type, prefers_media_type, refuses_by_name

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


@pytest.mark.parametrize(
    ("accept", "admits"),
    [
        ("", True),  # no Accept at all: anything
        ("*/*", True),
        ("application/*", True),
        ("application/x-ndjson", True),
        ("Application/X-NDJSON;q=0.1", True),
        ("application/json, */*;q=0.1", True),
        ("application/json;q=1, application/x-ndjson;q=0.2", True),
        ("application/json", False),
        ("text/html, application/xhtml+xml", False),
        ("text/*", False),
        ("application/x-ndjson;q=0", False),
        ("application/x-ndjson;q=0, */*", False),  # the most specific range decides
        ("application/*;q=0, */*", False),
        ("application/x-ndjson;q=0.5, application/*;q=0", True),
        ("*/*;q=0", False),
        ("application/x-ndjsonx", False),
    ],
)
def test_a_media_type_is_admitted_by_the_most_specific_range_that_names_it(
    accept: str, admits: bool
) -> None:
    assert admits_media_type(accept, NDJSON) is admits


@pytest.mark.parametrize(
    ("accept", "refuses"),
    [
        ("application/x-ndjson;q=0", True),
        ("application/json, application/x-ndjson;q=0", True),
        ("application/x-ndjson;q=0, application/x-ndjson;q=0.3", False),
        ("application/json", False),
        ("*/*;q=0", False),  # a wildcard's refusal does not name the type
        ("application/x-ndjson", False),
    ],
)
def test_only_naming_a_media_type_with_q_0_refuses_it_by_name(accept: str, refuses: bool) -> None:
    assert refuses_by_name(accept, NDJSON) is refuses
