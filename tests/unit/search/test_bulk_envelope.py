"""Bulk fares: the envelope's fast parse (queries as JSON text, each distinct one decoded once)
answers every body exactly as the checked parse does: the same envelope or the same error."""

from typing import Any

import msgspec
import pytest

from kernel.errors import BadRequest, ValidationFailed
from kernel.http import MAX_JSON_DEPTH
from search.bulk import _checked, parse_envelope
from tests.unit.search.test_bulk import query


def nested_query(levels: int) -> bytes:
    """A query whose `adults` nests `levels` arrays: the body then nests `levels + 3` deep."""
    return b'{"origin":"LHR","adults":' + b"[" * levels + b"]" * levels + b"}"


def outcome(parse: Any, body: bytes) -> object:
    try:
        envelope = parse(body)
    except ValidationFailed as exc:
        return ("422", sorted((e.field, e.message) for e in exc.errors))
    except BadRequest as exc:
        return ("400", exc.detail)
    return (envelope.queries, envelope.max_age_s, envelope.mode)


ONE = msgspec.json.encode(query())
BODIES = [
    msgspec.json.encode({"queries": [query(), query(days=3), query()], "mode": "live"}),
    b'{"queries": [' + ONE + b", " + ONE + b'], "max_age_s": 60}',
    b'{"queries":[' + ONE + b'],"queries":[{"origin":"CDG"}]}',
    b'{"queries":[' + ONE + b'],"max_age_s":60.0}',
    b'{"queries":[' + ONE + b'],"max_age_s":true}',
    b'{"queries":[' + ONE + b'],"mode":null}',
    b'{"queries":[' + ONE + b'],"extra":1}',
    b'{"queries":[],"max_age_s":-1}',
    b'{"queries":[1, "a", null, [1], {"adults": 1.0}]}',
    b'{"queries":[{"origin":"L\\u0000HR"}]}',
    b'{"queries":[{"origin":"\xff\xfe"}]}',
    b'{"queries":[{"origin":"LHR"]}',
    b'{"queries":[' + nested_query(MAX_JSON_DEPTH - 3) + b"]}",
    b'{"queries":[' + nested_query(MAX_JSON_DEPTH - 2) + b"]}",
    b'{"queries":[' + nested_query(5000) + b"]}",
    b'[{"queries":[]}]',
    b"",
    b'{"queries":[' + ONE + b'],"mode":"live","mode":"cached"}',
    b'{"queries":[' + ONE + b', {"origin":"LHR","origin":"CDG"}]}',
    b'{"queries":[{"origin":"LHR","departure_date":"12:00"}]}',
    b'{"queries" : [' + ONE + b'] , "max_age_s" : 60, "mode" : "live"}',
]


@pytest.mark.parametrize("body", BODIES)
def test_the_fast_parse_answers_as_the_checked_one(body: bytes) -> None:
    assert outcome(parse_envelope, body) == outcome(_checked, body)


def test_repeated_queries_share_one_decoded_value_and_key() -> None:
    body = b'{"queries":[' + ONE + b"," + ONE + b',{"origin":"CDG"}]}'

    envelope = parse_envelope(body)

    assert envelope.queries[0] is envelope.queries[1]
    assert envelope.keys is not None
    assert envelope.keys[0] == envelope.keys[1] != envelope.keys[2]


def test_a_repeated_name_is_a_422_naming_it_wherever_it_is() -> None:
    body = b'{"mode":"live","queries":[' + ONE + b',{"adults":1,"adults":2}],"mode":"cached"}'

    assert outcome(parse_envelope, body) == (
        "422",
        [("mode", "given more than once"), ("queries[1].adults", "given more than once")],
    )


def test_a_body_with_every_member_and_spaces_keeps_the_fast_parse() -> None:
    body = msgspec.json.format(
        msgspec.json.encode({"queries": [query(), query()], "max_age_s": 60, "mode": "live"})
    )

    envelope = parse_envelope(body)

    assert envelope.keys is not None
    assert (envelope.max_age_s, envelope.mode) == (60, "live")
