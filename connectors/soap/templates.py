# zeep ships py.typed but leaves most functions unannotated; calling them is the point here.
# mypy: disable-error-code="no-untyped-call"
"""SOAP request envelopes from templates: zeep builds each operation's envelope once per shape
of its body, with markers for the values and the WS-Security token; a call fills them in.

zeep walks the WSDL's types, builds an lxml tree and serializes it for every call: ~1.7 ms of
the event loop per shopping request on the bench machine, the largest single cost of a cold
search's CPU (bench/results/2026-12-04-cold-writes.md). The bytes only change where a value or
the token does, so the second call of a shape is a join. What a template cannot reproduce
exactly goes to zeep as before: values other than plain strings, ints and dates, and strings
that XML would escape (tests/unit/connectors/soap/test_templates.py holds the bytes equal).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

import zeep
from zeep.wsse.username import UsernameToken

from connectors.marked_templates import Template, fill, marker, split

_NONCE = b"SkyfareNonce"
_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_DIGEST = "SkyfareDigestMark"
# Printable ASCII that serializes as itself in a text node and in an attribute.
_PLAIN = re.compile(r"[ !#-%(-;=?-~]+")
# The token's three parts, numbered after the body's values.
_TOKEN_PARTS = 3
MAX_TEMPLATES = 256
_MISSING: Any = object()

# A template's values: the body's by position, then the token's digest, nonce and creation time.


def _marked(value: Any, values: list[str], shape: list[Any], *, copy: bool = True) -> Any:
    """`value` with each plain leaf (str, int, date) replaced by a marker, its text appended to
    `values`; `shape` gets what the template depends on: the keys, the lengths of lists, each
    leaf's type, and any other leaf itself (a Decimal `Version`: zeep's own text for it is kept
    in the template). Raises `LookupError` for a string that XML would escape.

    `copy=False`: `values` and `shape` only (None returned), for a call whose template exists:
    the marked copy is what zeep builds a template from, once per shape."""
    kind = type(value)
    if kind is str:
        if _PLAIN.fullmatch(value) is None:
            raise LookupError("text XML would escape")
        text = value
    elif kind is int:
        text = str(value)
    elif kind is dt.date:
        text = value.isoformat()
    elif kind is dict or isinstance(value, Mapping):
        shape.append(tuple(value))
        if not copy:
            for item in value.values():
                _marked(item, values, shape, copy=False)
            return None
        return {k: _marked(v, values, shape) for k, v in value.items()}
    elif kind is list or kind is tuple:
        shape.append(len(value))
        if not copy:
            for item in value:
                _marked(item, values, shape, copy=False)
            return None
        return [_marked(v, values, shape) for v in value]
    else:
        try:
            hash(value)
        except TypeError:
            raise LookupError(kind.__name__) from None
        shape.append((kind, value))
        return value
    shape.append(kind)
    values.append(text)
    return marker(len(values) - 1) if copy else None


class RequestTemplates:
    """`build(operation, body)`: the envelope bytes of one call, from a template when it can.

    `fallback` is zeep's own build (`connectors.soap.client.build_envelope`); `now` and `nonce`
    feed the UsernameToken (digest of nonce, creation time and password, as zeep's `use_digest`).
    """

    def __init__(
        self,
        client: zeep.Client,
        *,
        password: str,
        fallback: Callable[[str, Mapping[str, Any]], bytes],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        nonce: Callable[[], bytes] = lambda: os.urandom(16),
    ) -> None:
        self._client = client
        self._password = password.encode()
        self._fallback = fallback
        self._now = now
        self._nonce = nonce
        self._templates: dict[tuple[Any, ...], Template | None] = {}

    def build(self, operation: str, body: Mapping[str, Any]) -> bytes:
        values: list[str] = []
        shape: list[Any] = [operation]
        try:
            _marked(body, values, shape, copy=False)
        except LookupError:
            return self._fallback(operation, body)
        key = tuple(shape)
        template = self._templates.get(key, _MISSING)
        if template is _MISSING:
            template = self._template(operation, _marked(body, [], []), len(values))
            if len(self._templates) < MAX_TEMPLATES:  # shapes are few; constants could not be
                self._templates[key] = template
        if template is None:
            return self._fallback(operation, body)
        filled = [v.encode() for v in values]
        filled.extend(p.encode() for p in self._token())
        return fill(template, filled)

    def _token(self) -> tuple[str, str, str]:
        """Digest, nonce and creation time of a fresh UsernameToken, as zeep writes them."""
        nonce = self._nonce()
        created = self._now().replace(tzinfo=dt.UTC, microsecond=0).isoformat()
        # SHA-1 because WS-Security UsernameToken 1.1 says so (PasswordDigest), as zeep does.
        digest = hashlib.sha1(nonce + created.encode() + self._password).digest()
        return base64.b64encode(digest).decode(), base64.b64encode(nonce).decode(), created

    def _template(self, operation: str, marked: Any, count: int) -> Template | None:
        """The envelope split at the markers, or None when the token is not one this class
        writes or zeep's output does not hold each marker exactly once (then zeep builds every
        such call)."""
        real = self._client.wsse
        if not (
            isinstance(real, UsernameToken)
            and real.use_digest
            and real.password == self._password.decode()
            and not (real.nonce or real.created or real.password_digest)
            and not (real.zulu_timestamp or real.hash_password or real.timestamp_token)
        ):
            return None
        self._client.wsse = UsernameToken(
            real.username,
            password_digest=_DIGEST,
            use_digest=True,
            nonce=_NONCE.decode(),
            created=_CREATED,
        )
        try:
            data = self._fallback(operation, marked)
        except Exception:
            # A type that refuses a marker where it takes the value (zeep checks some): such
            # calls keep zeep's own build, which raises for a bad value as it always did.
            return None
        finally:
            self._client.wsse = real
        token = (
            _DIGEST.encode(),
            base64.b64encode(_NONCE),
            _CREATED.isoformat().encode(),
        )
        for i, part in enumerate(token):
            if data.count(part) != 1:
                return None
            data = data.replace(part, marker(count + i).encode())
        template = split(data)
        if sorted(template[1]) != list(range(count + _TOKEN_PARTS)):
            return None
        return template
