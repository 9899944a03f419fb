"""What `json_object` names in a well-formed JSON body it refuses: member names repeated within one
object, and numbers out of range.

RFC 8259 says an object's names SHOULD be unique and leaves a repeat to the parser: msgspec (and
orjson) keep the last one. A body `{"passengers": [...], "passengers": [...]}` would then be read
as its second list while a proxy, a log or the client's own code reads the first, so a repeated
name is refused, naming it, as a repeated query parameter is (kernel/query.py).

Finding repeats costs no second parse of an ordinary body: each member of each object has exactly
one `:` outside strings, so a body holding as many `:` bytes as its decoded objects hold members
repeats no name. Only one with more (a repeat, or a colon inside a string such as a time of day)
is parsed again, by the standard library's parser, whose hook sees each object's pairs as sent.

RFC 8259 sets no range on numbers, so `1e400` is well-formed JSON: a 422 naming its field (API.md),
not the 400 of malformed JSON. msgspec refuses it without a path; the body is parsed again, only
then, to name it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from kernel.errors import FieldError, clipped

GIVEN_TWICE = "given more than once"


def may_repeat_names(body: bytes, data: object) -> bool:
    """False when `body`, the JSON text `data` was decoded from, repeats no member name.
    `data` must nest no deeper than Python recurses (`json_object` checks the depth first)."""
    return body.count(b":") != member_count(data)


def member_count(value: object) -> int:
    """How many members the objects in a decoded JSON value hold, nested ones included (as
    `may_repeat_names`, for a body decoded in parts)."""
    return _members(value) if type(value) is dict or type(value) is list else 0


def _members(node: Any) -> int:
    # Recursion, not a stack of tuples: ~1 µs for a search body against ~8 µs (a microbenchmark
    # of both); the depth is bounded by the caller.
    count = 0
    values = node
    if type(node) is dict:
        count = len(node)
        values = node.values()
    for value in values:
        if type(value) is dict or type(value) is list:
            count += _members(value)
    return count


def repeated_names(body: bytes, *, limit: int) -> list[FieldError]:
    """Each member name `body` repeats within one object, as a path (`passengers`,
    `slices[1].origin`), at most `limit` of them, sorted. `body` must be JSON nested no deeper
    than the standard library's parser recurses (`json_object` checks the depth first)."""
    try:
        parsed = json.loads(body, object_pairs_hook=_object)
    except ValueError:  # JSON msgspec decoded: not expected, and then nothing is named
        return []
    found: list[FieldError] = []
    for path, node in _nodes(parsed):
        if isinstance(node, _Repeating):
            found.extend(FieldError(_joined(path, name), GIVEN_TWICE) for name in node.names)
            if len(found) >= limit:
                break
    return sorted(found[:limit], key=lambda error: error.field)


def out_of_range_numbers(body: bytes, *, limit: int) -> list[FieldError]:
    """Each number of well-formed JSON `body` that Python cannot hold (a float past 1.8e308, an
    integer past 4300 digits), as a path; msgspec refuses them with no path to name. Raises
    `RecursionError` for a body nested past the standard library's parser."""
    try:
        parsed = json.loads(body, parse_float=_float, parse_int=_int)
    except ValueError:  # not well-formed after all: nothing to name
        return []
    found = [
        FieldError(path or "body", "number out of range")
        for path, node in _nodes(parsed)
        if node is _OUT_OF_RANGE
    ]
    return sorted(found[:limit], key=lambda error: error.field)


_OUT_OF_RANGE = object()


def _float(text: str) -> object:
    return _OUT_OF_RANGE if math.isinf(float(text)) else None


def _int(text: str) -> object:
    try:
        int(text)
    except ValueError:  # past `sys.get_int_max_str_digits()`, where msgspec stops too
        return _OUT_OF_RANGE
    return None


def _nodes(root: object) -> Iterator[tuple[str, object]]:
    """Every value of decoded JSON with its path, objects' and arrays' own included."""
    stack: list[tuple[str, object]] = [("", root)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend((_joined(path, name), value) for name, value in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(node))


class _Repeating(dict[str, Any]):
    """An object that repeated `names` (the last value of each kept, as msgspec keeps it)."""

    names: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    decoded = dict(pairs)
    if len(decoded) == len(pairs):
        return decoded
    seen: set[str] = set()
    repeated: dict[str, None] = {}  # in the order sent, each once
    for name, _ in pairs:
        if name in seen:
            repeated[name] = None
        seen.add(name)
    found = _Repeating(decoded)
    found.names = tuple(repeated)
    return found


def _joined(path: str, name: str) -> str:
    shown = clipped(name).replace("\x00", "\\u0000")
    return f"{path}.{shown}" if path else shown
