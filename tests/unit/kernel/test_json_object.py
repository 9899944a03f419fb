"""The one JSON-object decoder of request bodies: nesting is bounded, never a RecursionError,
and a NUL character (which PostgreSQL cannot store) is refused naming its field."""

from __future__ import annotations

import json

import pytest

from kernel.errors import BadRequest, ValidationFailed
from kernel.http import MAX_JSON_DEPTH, json_object, refuse_nul_characters, refuse_repeated_names


def nested(depth: int, inner: bytes = b"1") -> bytes:
    """An object `depth` levels deep, arrays inside the outermost object."""
    return b'{"a": ' + b"[" * (depth - 1) + inner + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 2000, 50_000])
def test_a_body_nested_past_the_limit_is_a_bad_request_naming_the_body(depth: int) -> None:
    with pytest.raises(BadRequest, match="request body nests JSON deeper than"):
        json_object(nested(depth))


def test_a_body_at_the_limit_is_decoded() -> None:
    assert "a" in json_object(nested(MAX_JSON_DEPTH))


def test_many_shallow_containers_are_not_mistaken_for_depth() -> None:
    body = b'{"queries": [' + b",".join([b'{"x": [1, {"y": 2}]}'] * 1000) + b"]}"

    assert len(json_object(body)["queries"]) == 1000


def test_brackets_inside_strings_do_not_count() -> None:
    assert json_object(b'{"a": "' + b"[" * 5000 + b'"}') == {"a": "[" * 5000}


def test_a_nul_character_in_any_string_is_a_422_naming_each_field() -> None:
    body = (
        rb'{"passengers": [{"email": "a\u0000b@example.com", "given_name": "Ada"}], "x": "\u0000"}'
    )

    with pytest.raises(ValidationFailed) as caught:
        json_object(body)

    assert [e.field for e in caught.value.errors] == ["passengers[0].email", "x"]


def test_a_nul_character_in_a_field_name_is_named_escaped() -> None:
    with pytest.raises(ValidationFailed) as caught:
        json_object(rb'{"a\u0000": 1}')

    assert [e.field for e in caught.value.errors] == ["a\\u0000"]


@pytest.mark.parametrize("text", [rb"\\u0000", rb"\\\\u0000", rb"u0000"])
def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(text: bytes) -> None:
    assert "u0000" in json_object(b'{"note": "' + text + b'"}')["note"]


TWICE = "given more than once"
OUT_OF_RANGE = "number out of range"
# Well-formed JSON refused naming each bad member: a name repeated in one object, and a number
# past what Python holds (RFC 8259 sets no range: API.md's 422, not the 400 of malformed JSON).
NAMED = {
    "repeated at top level": (b'{"passengers": [1], "passengers": [2]}', ["passengers"], TWICE),
    "repeated, nested": (
        b'{"slices": [{"origin": "LHR"}, {"origin": "JFK", "origin": "CDG"}]}',
        ["slices[1].origin"],
        TWICE,
    ),
    "thrice counts once": (b'{"a": 1, "a": 2, "a": 3}', ["a"], TWICE),
    "spaces around the colon": (b'{"a" : 1, "b"  :2, "a":3}', ["a"], TWICE),
    "several repeats": (b'{"b": {"c": 1, "c": 2}, "a": 1, "a": 2}', ["a", "b.c"], TWICE),
    "float out of range": (b'{"limit": 1e400}', ["limit"], OUT_OF_RANGE),
    "negative, nested": (b'{"a": [1, {"b": -1E309}], "c": 2}', ["a[1].b"], OUT_OF_RANGE),
    "integer of 5000 digits": (b'{"adults": 1' + b"0" * 5000 + b"}", ["adults"], OUT_OF_RANGE),
}


@pytest.mark.parametrize(("body", "fields", "message"), NAMED.values(), ids=NAMED.keys())
def test_a_well_formed_body_with_bad_members_is_a_422_naming_each(
    body: bytes, fields: list[str], message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        json_object(body)

    assert [e.field for e in caught.value.errors] == fields
    assert {e.message for e in caught.value.errors} == {message}


NOT_REPEATS = {
    "colons in strings": b'{"at": "08:25:00", "note:": "a:b", "x": {"t": "12:00"}}',
    "same name in sibling objects": b'{"slices": [{"origin": "LHR"}, {"origin": "JFK"}]}',
    "same name at two levels": b'{"a": {"a": 1}}',
    "an escaped quote before a colon": b'{"a": "say \\":\\" twice"}',
}


@pytest.mark.parametrize("body", NOT_REPEATS.values(), ids=NOT_REPEATS.keys())
def test_names_that_only_look_repeated_are_decoded(body: bytes) -> None:
    assert json_object(body) == json.loads(body)


def test_a_repeat_and_a_nul_character_are_named_together() -> None:
    with pytest.raises(ValidationFailed) as caught:
        json_object(rb'{"b": "\u0000", "a": 1, "a": 2}')

    assert [e.field for e in caught.value.errors] == ["a", "b"]


# A signed webhook's event is read by a typed decoder, not `json_object`: only what that decoder
# would misread (a repeat it reads last-one-wins) or crash on (nesting) is refused before it.
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b'{"type": "a", "type": "b"}', ["type"]),
        (b'{"data": {"object": {"id": 1, "id": 2}}}', ["data.object.id"]),
    ],
    ids=["top level", "nested"],
)
def test_refuse_repeated_names_names_each_repeat(body: bytes, fields: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        refuse_repeated_names(body)

    assert [e.field for e in caught.value.errors] == fields


@pytest.mark.parametrize(
    "body",
    [rb'{"code": "a\u0000b"}', b"[1, 2]", b"not json", b'{"at": "08:25:00"}'],
    ids=["NUL character", "not an object", "not JSON", "colon in a string"],
)
def test_refuse_repeated_names_leaves_the_rest_to_the_typed_decoder(body: bytes) -> None:
    refuse_repeated_names(body)


def test_refuse_repeated_names_refuses_a_body_the_typed_decoder_would_recurse_on() -> None:
    with pytest.raises(BadRequest, match="deeper than"):
        refuse_repeated_names(nested(50_000))


@pytest.mark.parametrize("body", [b"", b"  \n\t"], ids=["empty", "whitespace"])
def test_an_empty_body_is_a_bad_request_saying_so(body: bytes) -> None:
    with pytest.raises(BadRequest, match=r"^the request body is empty: send a JSON object$"):
        json_object(body)


def test_refuse_nul_characters_names_each_string_holding_one() -> None:
    with pytest.raises(ValidationFailed) as caught:
        refuse_nul_characters(rb'{"id": "a\u0000", "data": {"object": {"id": "pi_\u0000"}}}')

    assert [e.field for e in caught.value.errors] == ["data.object.id", "id"]


@pytest.mark.parametrize(
    "body", [rb'{"code": "a\\u0000b"}', b"not json", b'{"id": "pi_1"}', rb'["\u0000"]']
)
def test_refuse_nul_characters_leaves_text_without_one_to_the_typed_decoder(body: bytes) -> None:
    refuse_nul_characters(body)
