"""Request plumbing every domain package's views share, free of the composition root."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import msgspec
from aiohttp import web
from multidict import istr

from kernel.errors import (
    BadRequest,
    FieldError,
    UnsupportedContentEncoding,
    UnsupportedMediaType,
    ValidationFailed,
    clipped,
)
from kernel.json_body import may_repeat_names, out_of_range_numbers, repeated_names

_CONTENT_TYPE = istr("Content-Type")  # found without folding its case per request
_CONTENT_ENCODING = istr("Content-Encoding")

# Headers the plumbing owes every response to a request (its `X-Request-Id`, a partner's
# `RateLimit-*`), set for each request by the composition root's plumbing (skyfare/plumbing.py).
# It adds them to the response a handler returns; a handler that prepares (streams) its own
# response goes through `prepare_stream`, which adds them before the headers leave.
RESPONSE_HEADERS: web.RequestKey[dict[str, str]] = web.RequestKey("response_headers")


def add_response_headers(request: web.Request, headers: dict[str, str]) -> None:
    """Owe `headers` to this request's response, whatever it turns out to be (an error too)."""
    request.setdefault(RESPONSE_HEADERS, {}).update(headers)


async def prepare_stream(request: web.Request, response: web.StreamResponse) -> None:
    """`response.prepare(request)` with the headers owed to the request (see RESPONSE_HEADERS)."""
    owed = request.get(RESPONSE_HEADERS)
    if owed:
        response.headers.update(owed)
    await response.prepare(request)


def is_json_media_type(content_type: str) -> bool:
    """`application/json` or a structured `+json` type (RFC 6839), parameters already stripped."""
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


async def read_json_body(request: web.Request) -> bytes:
    """The raw body of a JSON request, for a module-level typed msgspec decoder.

    Raises `UnsupportedMediaType` unless the body is declared JSON, in UTF-8, in a content coding
    this API decodes (`read_body`); `HTTPRequestEntityTooLarge` (413, as aiohttp's `read`) past
    the app's `client_max_size`; `ValidationFailed` naming `body` when it starts with a byte
    order mark (`refuse_byte_order_mark`).
    """
    # The header as sent is almost always exactly this: no parameters to parse, and no copy of
    # aiohttp's parsed parameters per request (`request.content_type` makes one).
    if request.headers.get(_CONTENT_TYPE) != "application/json":
        if not is_json_media_type(request.content_type):
            raise UnsupportedMediaType(
                f"expected Content-Type: application/json, got {request.content_type!r}"
            )
        refuse_other_charset(request)
    body = await read_body(request)
    refuse_byte_order_mark(body)
    return body


# RFC 8259 8.1: a sender MUST NOT begin JSON with a byte order mark, a parser MAY ignore one.
# Parsers differ (a browser's `JSON.parse`, Go and msgspec refuse it; Python's `json.loads` of
# bytes skips it), so a body is not read one way here and another elsewhere, as for a repeated
# name: refused, with words that say what to remove (msgspec said "invalid character (byte 0)").
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
STARTS_WITH_BOM = FieldError(
    "body",
    "starts with a byte order mark (U+FEFF): send the JSON without it (RFC 8259, section 8.1)",
)


def refuse_byte_order_mark(body: bytes) -> None:
    """`ValidationFailed` naming `body` when it starts with a UTF-8 byte order mark."""
    if body.startswith(_BYTE_ORDER_MARK):
        raise ValidationFailed([STARTS_WITH_BOM])


# One `;name=value` parameter of a media type (RFC 9110 5.6.6), its value a token or a quoted
# string (which may hold a `;`). Matched in turn from the first `;`, so a quoted `;` is skipped.
_PARAMETER = re.compile(r';[ \t]*([^=; \t]*)[ \t]*(?:=[ \t]*(?:"(?:[^"\\]|\\.)*"|[^;]*))?')


def refuse_other_charset(request: web.Request) -> None:
    """`UnsupportedMediaType` for a JSON body declared in a charset other than UTF-8: JSON is
    UTF-8 (RFC 8259), and reading `charset=latin-1` bytes as UTF-8 would misread them; and for
    a `Content-Type` that names a parameter twice (`charset=utf-8; charset=latin-1`): which
    one holds is anyone's guess (aiohttp keeps the first, others the last), so neither is."""
    _refuse_repeated_parameters(request.headers.get(_CONTENT_TYPE, ""))
    charset = request.charset
    if charset is not None and charset.lower() != "utf-8":
        raise UnsupportedMediaType(
            f"charset {_shown(charset)} is not accepted: JSON is UTF-8 (RFC 8259), "
            "declare charset=utf-8 or none"
        )


def _refuse_repeated_parameters(content_type: str) -> None:
    """`UnsupportedMediaType` naming the first parameter `content_type` gives more than once
    (names are case-insensitive, RFC 9110 5.6.6)."""
    start = content_type.find(";")
    if start < 0:
        return
    seen: set[str] = set()
    for match in _PARAMETER.finditer(content_type, start):
        name = match.group(1).lower()
        if not name:  # `;;`: an empty parameter, allowed (RFC 9110 5.6.6)
            continue
        if name in seen:
            raise UnsupportedMediaType(
                f"Content-Type gives the parameter {_shown(name)} more than once: "
                "give each parameter once"
            )
        seen.add(name)


async def read_body(request: web.Request) -> bytes:
    """The raw body, decoded from its `Content-Encoding`; `UnsupportedContentEncoding` (415)
    for a coding not in `ACCEPTED_ENCODINGS`, and 413 as `read_json_body`."""
    refuse_other_coding(request)
    content = request.content
    # A body already complete and not read yet (a small one arrives with its head): taken as
    # the bytes it arrived in. `request.read()` would copy them through a bytearray into new
    # bytes, and ask the payload twice (an `await` each) to learn what `is_eof` says.
    if content.is_eof() and not content.at_eof():
        body = content.read_nowait()
        limit = request.client_max_size  # 0: no limit, as for aiohttp's `read`
        if limit and len(body) > limit:
            raise web.HTTPRequestEntityTooLarge(limit, len(body))
        # Where `read()` keeps what it read, so a later `read()` (or this) gets the body again;
        # aiohttp's own field (an upgrade renaming it fails tests/unit/kernel/test_read_json_body).
        request._read_bytes = body
        return body
    return await request.read()


_TAKES_NO_BODY = "this request takes no body: send none (or {})"


async def refuse_body(request: web.Request) -> None:
    """For a route that takes no body (a cancel, a confirmation, a delete): `ValidationFailed`
    (422) for one that says something, naming each field of a JSON object as unknown, as every
    route refuses fields it does not take (docs/api.md). A client's `{"reason": …}` or
    `{"refund": false}` was read by nothing and the act done anyway. None, blank or `{}` is
    no body; 413 and 415 (its coding) as `read_body`."""
    if not request.body_exists:
        return
    body = await read_body(request)
    refuse_byte_order_mark(body)
    body = body.strip()
    if not body:
        return
    try:
        data = _any_json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        data = None
    if type(data) is not dict:
        raise ValidationFailed([FieldError("body", _TAKES_NO_BODY)])
    if data:
        unknown = [FieldError(clipped(str(name)), "unknown field") for name in data]
        raise ValidationFailed(unknown[:_MAX_NAMED])


# The content codings a request body may come in: those aiohttp decodes with the standard
# library's zlib, so in every deployment. It decodes `br` and `zstd` only where an optional
# module is installed (Brotli is here only as a load-test tool's dependency), and passes any
# other coding (`foo`, a list such as `gzip, br`) on undecoded: read as if not encoded.
ACCEPTED_ENCODINGS = ("gzip", "deflate")
_NOT_ENCODED = ("identity", "")


def refuse_other_coding(request: web.Request) -> None:
    """`UnsupportedContentEncoding` naming a request's `Content-Encoding` unless it is none,
    `identity` or one of `ACCEPTED_ENCODINGS` (case-insensitive, as aiohttp reads it)."""
    headers = request.headers
    if _CONTENT_ENCODING not in headers:  # the usual request
        return
    codings = headers.getall(_CONTENT_ENCODING)
    coding = codings[0]
    if len(codings) == 1 and coding.isascii():
        coding = coding.lower()
        if coding in ACCEPTED_ENCODINGS or coding in _NOT_ENCODED:
            return
    raise coding_refused(", ".join(codings))


def coding_refused(coding: str) -> UnsupportedContentEncoding:
    """The 415 for a body in `coding`, naming it and the codings accepted."""
    accepted = ", ".join(ACCEPTED_ENCODINGS)
    return UnsupportedContentEncoding(
        f"Content-Encoding {_shown(coding)} is not accepted: send the body unencoded, "
        f"or in one of: {accepted}",
        accepted=accepted,
    )


def _shown(value: str) -> str:
    # A header's value: always quoted, and printable whatever bytes came.
    return ascii(clipped(value))


_any_json = msgspec.json.Decoder()

# Deeper than any body this API takes (a search or an order is 3 levels); bounds the work a
# hostile body can cause anywhere after decoding. msgspec has no depth option: a body nested
# about a thousand levels deep makes it raise RecursionError, which must not become a 500.
MAX_JSON_DEPTH = 32


# A NUL character can only come escaped (`\u0000`; a raw one is not JSON), and not after an
# escaped backslash (`\\u0000` is a backslash and "u0000"). No field takes one, and PostgreSQL
# text cannot store it: found in any string, it would reach the database as a 500.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_MAX_NAMED = 20


NOT_AN_OBJECT = FieldError("body", "must be a JSON object")


def json_object(body: bytes) -> dict[str, Any]:
    """A request body decoded loosely, so every field can be checked and named, not just the
    first bad one. `BadRequest` (400) unless it is JSON nested at most `MAX_JSON_DEPTH` levels
    deep; `ValidationFailed` (422) naming `body` when it is JSON but not an object (API.md:
    well-formed but invalid is a 422, as on the routes that take no body), naming each member
    name repeated within one object, each number out of range, and each string that holds a
    NUL character, and `body` when it starts with a byte order mark."""
    refuse_byte_order_mark(body)  # a merge patch is read by `read_body`
    try:
        data = _any_json.decode(body)
    except msgspec.ValidationError:  # JSON, with a number Python cannot hold (RFC 8259 allows it)
        raise ValidationFailed(_out_of_range(body)) from None
    except msgspec.DecodeError as exc:
        if not body.strip():  # msgspec says "Input data was truncated": true, but no help
            raise BadRequest("the request body is empty: send a JSON object") from None
        raise BadRequest(f"malformed JSON: {exc}") from exc
    except RecursionError:
        raise _too_deep() from None
    if type(data) is not dict:
        raise ValidationFailed([NOT_AN_OBJECT])
    _refuse_too_deep(body, data)
    errors = _nul_fields(data) if has_escaped_nul(body) else []
    if may_repeat_names(body, data):
        errors += repeated_names(body, limit=_MAX_NAMED)
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda error: error.field)[:_MAX_NAMED])
    return data


def refuse_repeated_names(body: bytes) -> None:
    """For a body a typed decoder reads whole (a webhook's signed event), which keeps the last of
    a repeated member name: `ValidationFailed` naming each name repeated within one object, as
    `json_object` names them; `BadRequest` for JSON nested deeper than `MAX_JSON_DEPTH`. Nothing
    else is judged: a body that is not JSON is left to the typed decoder to refuse."""
    try:
        data = _any_json.decode(body)
    except msgspec.DecodeError:
        return
    except RecursionError:
        raise _too_deep() from None
    _refuse_too_deep(body, data)
    if may_repeat_names(body, data):
        repeated = repeated_names(body, limit=_MAX_NAMED)
        if repeated:
            raise ValidationFailed(repeated)


def refuse_nul_characters(body: bytes) -> None:
    """For a body a typed decoder reads whole (a webhook's signed event): `ValidationFailed`
    naming each string (or member name) that holds a NUL character, as `json_object` names
    them. PostgreSQL text cannot store one: looked up or recorded, it was a 500. Call it after
    `refuse_repeated_names`, which refuses what nests too deep to walk."""
    if not has_escaped_nul(body):
        return
    try:
        data = _any_json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return  # not JSON: the typed decoder's to refuse
    if type(data) is dict:
        found = _nul_fields(data)
        if found:
            raise ValidationFailed(found[:_MAX_NAMED])


def _refuse_too_deep(body: bytes, data: object) -> None:
    """`BadRequest` when `data` (decoded from `body`) nests past `MAX_JSON_DEPTH`."""
    # Fewer brackets than the limit cannot nest past it: most bodies skip the walk.
    if body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH and _deeper_than(data, MAX_JSON_DEPTH):
        raise _too_deep()


def _out_of_range(body: bytes) -> list[FieldError]:
    try:
        found = out_of_range_numbers(body, limit=_MAX_NAMED)
    except RecursionError:
        raise _too_deep() from None
    return found or [FieldError("body", "holds a number out of range")]


def has_escaped_nul(body: bytes) -> bool:
    """Whether a JSON body holds a NUL character in some string (`json_object` names them)."""
    # The pattern tries its lookbehind at every byte: ~15 % of the API's CPU for a 1000-query
    # bulk body (a py-spy profile, issue 18). A NUL needs the six bytes `\u0000` (JSON escapes
    # spell `u` in lower case, and 0 has no case). Searching those six still takes ~0.1 ms of a
    # 70 kB body; their backslash alone is a memchr, ~1 µs, and most bodies escape nothing.
    return b"\\" in body and b"\\u0000" in body and _ESCAPED_NUL.search(body) is not None


def _too_deep() -> BadRequest:
    return BadRequest(f"the request body nests JSON deeper than {MAX_JSON_DEPTH} levels")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` deep; a loop, not recursion."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        assert isinstance(children, Iterable)
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def _nul_fields(data: dict[str, Any]) -> list[FieldError]:
    """Each field whose string (or name) holds a NUL character, as `passengers[0].email`."""
    found: list[FieldError] = []
    stack: list[tuple[str, object]] = [("", data)]
    while stack and len(found) < _MAX_NAMED:
        path, node = stack.pop()
        if isinstance(node, str) and "\x00" in node:
            found.append(FieldError(path, "must not contain a NUL character"))
        elif isinstance(node, dict):
            for key, value in node.items():
                at = f"{path}.{key}" if path else key
                if "\x00" in key:
                    shown = at.replace("\x00", "\\u0000")
                    found.append(FieldError(shown, "a field name must not contain a NUL character"))
                else:
                    stack.append((at, value))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(node))
    return sorted(found, key=lambda error: error.field)
