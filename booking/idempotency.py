"""Idempotency keys with Stripe's semantics, in PostgreSQL (`idempotency_keys`, booking/sql/0100).

- A key is scoped to its caller: (owner, key). The first request claims it atomically
  (`INSERT ... ON CONFLICT DO NOTHING`) with a lease (`locked_until`): on its own (`claim`), or
  after a read-only `look_up`, in the very statement that creates what the key answers for
  (`claim_statement` as a CTE, `NewKey`: `POST /v1/orders`), so nothing is written for a
  request refused before it creates anything.
- The same key with the same method, path and body (SHA-256 of the canonical JSON) replays the
  stored answer, status and body; with another body or path → 422; while the first request still
  holds its lease → 409.
- The answer is stored in the SAME transaction as the order change that produced it (the
  repository writes it with the change's history row, `record_statement`; a change of another
  table, with `record_response`), so no answer is stored for a change that did not commit, and
  no committed change lacks its answer for long.
- `resource_id` is the recovery point: the order insert sets it in its own statement. A request
  that dies after that (a crash, an airline that did not answer) leaves the key unanswered; once
  its lease has lapsed, a retry takes the claim over and is given the order to resume
  (`Claimed.resource_id`) instead of creating a second one.
- Keys live 24 hours: an expired key is deleted when it is met again and by `purge_expired`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import asyncpg
import msgspec

from booking.pg import Database
from kernel.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Gone,
    NotFound,
    ValidationFailed,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from booking.model import Order

HEADER = "Idempotency-Key"
FIELD = "headers.Idempotency-Key"
MAX_KEY_LENGTH = 255
TTL_S = 24 * 3600.0
_canonical = msgspec.json.Encoder(order="sorted")


class Fingerprint(msgspec.Struct, frozen=True):
    """What a replay must match: the method, the path and the hash of the canonical body."""

    method: str
    path: str
    body_hash: bytes


def fingerprint(method: str, path: str, body: Any) -> Fingerprint:
    """`body` is the decoded JSON: key order and whitespace do not make it another request."""
    return Fingerprint(method, path, hashlib.sha256(_canonical.encode(body)).digest())


class StoredResponse(msgspec.Struct, frozen=True):
    """An answer as stored: a 2xx carries the JSON body; an error carries `_StoredError`."""

    status: int
    body: bytes


class Claimed(msgspec.Struct, frozen=True):
    """This request owns the key now. `resource_id`: the order an earlier attempt created."""

    resource_id: str | None = None


class Replay(msgspec.Struct, frozen=True):
    response: StoredResponse

    def answer(self) -> StoredResponse:
        """The stored answer given again: a 2xx as stored, an error raised (`raise_stored`)."""
        if self.response.status >= 300:
            raise_stored(self.response)
        return self.response


class NewKey(msgspec.Struct, frozen=True):
    """A key to claim in the statement that creates what it answers for (`claim_statement` as a
    CTE; `OrderRepository.create(claim=...)`); `claim_args`: its parameters after owner and key."""

    owner: str
    key: str
    request: Fingerprint
    lease_s: float
    ttl_s: float

    def claim_args(self) -> tuple[object, ...]:
        r = self.request
        return (r.method, r.path, r.body_hash, self.lease_s, self.ttl_s)


def claimed_concurrently() -> Conflict:
    """The answer when the key changed hands between our statements on every try: retryable."""
    return Conflict(f"the {HEADER} is being claimed concurrently; retry")


class KeyTaken(Exception):
    """A `NewKey` was claimed by another request first: nothing was written; answer from the
    key (`PgIdempotencyStore.look_up`)."""


@dataclass(frozen=True, slots=True)
class Completion:
    """The answer to store with an order change: `render` turns the changed order into it."""

    owner: str
    key: str
    render: Callable[[Order], StoredResponse]


class _StoredError(msgspec.Struct, frozen=True):
    detail: str
    extensions: dict[str, Any] = {}
    errors: tuple[FieldError, ...] = ()


# Only final answers are stored; a 503 (try again) never is.
_ERROR_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    ValidationFailed: 422,
}
_ERROR_CLASS = {status: cls for cls, status in _ERROR_STATUS.items()}
_stored_error = msgspec.json.Decoder(_StoredError)


def stored_error(exc: DomainError) -> StoredResponse:
    """The storable form of a final error answer (404, 409, 410, 422)."""
    status = next(s for cls, s in _ERROR_STATUS.items() if isinstance(exc, cls))
    errors = exc.errors if isinstance(exc, ValidationFailed) else ()
    body = _StoredError(exc.detail, dict(exc.extensions), errors)
    return StoredResponse(status, msgspec.json.encode(body))


def raise_stored(response: StoredResponse) -> NoReturn:
    """Raise the error a stored error answer holds: the problem document is rendered again
    exactly as the first time (same class, detail, extensions, field errors)."""
    stored = _stored_error.decode(response.body)
    cls = _ERROR_CLASS[response.status]
    if cls is ValidationFailed:
        raise ValidationFailed(stored.errors, stored.detail, **stored.extensions)
    raise cls(stored.detail, **stored.extensions)


def key_of(values: Sequence[str]) -> str:
    """The one key of a request's `Idempotency-Key` field lines (`check_key`); two are a 422
    naming the header: which one a retry carries (a proxy adding its own beside the client's)
    is not ours to pick, and the wrong one makes a second order or replays another's answer."""
    if len(values) > 1:
        raise ValidationFailed([FieldError(FIELD, "given more than once")])
    return check_key(values[0] if values else None)


def check_key(key: str | None) -> str:
    """The header's value, or `BadRequest`/`ValidationFailed` naming it."""
    if key is None:
        raise BadRequest(
            f"the {HEADER} header is required: a unique value per request, reused for its retries"
        )
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            [FieldError(FIELD, f"must be 1 to {MAX_KEY_LENGTH} printable characters")]
        )
    return key


def claim_statement(
    owner: str, key: str, first: int, *, resource_id: str = "NULL", source: str = ""
) -> str:
    """The INSERT claiming (`owner`, `key`: SQL expressions) with a lease, `ON CONFLICT DO
    NOTHING`, returning a row only when it claimed; its other parameters (method, path, body
    hash, lease, TTL: `NewKey.claim_args`) are numbered from `first`, so a caller's statement can
    carry it as a CTE (booking/create_sql.py: the order insert that claims its key).
    `resource_id`: an SQL expression for the recovery point; `source`: a FROM clause the claim
    is made under (e.g. `" FROM fits"`: only if the order fits)."""
    method, path, body_hash, lease, ttl = (f"${n}" for n in range(first, first + 5))
    return f"""
INSERT INTO idempotency_keys AS k
    (owner, key, request_method, request_path, request_hash, resource_id, locked_until, expires_at)
SELECT {owner}::text, {key}::text, {method}::text, {path}::text, {body_hash}::bytea,
       {resource_id}::text, now() + make_interval(secs => {lease}::float8),
       now() + make_interval(secs => {ttl}::float8){source}
ON CONFLICT (owner, key) DO NOTHING
RETURNING true"""


_CLAIM = claim_statement("$1", "$2", 3)
# A claim whose holder stopped answering (its lease lapsed, nothing stored) is taken over, by
# one request only: the guard and the new lease are one UPDATE.
_TAKE_OVER = """
UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $6)
WHERE owner = $1 AND key = $2 AND response_status IS NULL AND expires_at > now()
  AND (locked_until IS NULL OR locked_until <= now())
  AND request_method = $3 AND request_path = $4 AND request_hash = $5
RETURNING resource_id"""
_READ = """
SELECT request_method, request_path, request_hash, response_status, response_body,
       expires_at <= now() AS expired, resource_id,
       locked_until IS NULL OR locked_until <= now() AS lapsed
FROM idempotency_keys WHERE owner = $1 AND key = $2"""
_DELETE_EXPIRED = (
    "DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND expires_at <= now()"
)
# A lapsed claim that created nothing (left by a request that died between its claim and its
# insert, as `claim` callers can): forgotten, so the request is made anew.
_FORGET_ABANDONED = """
DELETE FROM idempotency_keys
WHERE owner = $1 AND key = $2 AND response_status IS NULL AND resource_id IS NULL
  AND (locked_until IS NULL OR locked_until <= now())"""
_NAME_RESOURCE = "UPDATE idempotency_keys SET resource_id = $3 WHERE owner = $1 AND key = $2"
_IN_USE = "SELECT true FROM idempotency_keys WHERE owner = $1 AND key = $2 AND expires_at > now()"
# Nothing was created: forget the key, so the same request may be sent again. An order was
# created: keep the key (it names the order) and let its lease lapse, so a retry resumes it.
_RELEASE = """
WITH forgotten AS (
    DELETE FROM idempotency_keys
    WHERE owner = $1 AND key = $2 AND response_status IS NULL AND resource_id IS NULL
)
UPDATE idempotency_keys SET locked_until = NULL
WHERE owner = $1 AND key = $2 AND response_status IS NULL AND resource_id IS NOT NULL"""


def record_statement(first: int, *, body: str | None = None, only_if: str = "TRUE") -> str:
    """The UPDATE storing an answer; its parameters (owner, key, status, body) are numbered from
    `first`, so a caller's statement can carry it as a CTE (booking/create_sql.py). `body`: an SQL
    expression for the body instead of the fourth parameter; `only_if`: a condition the answer
    is stored under (a CTE's change happened)."""
    owner, key, status, stored = (f"${n}" for n in range(first, first + 4))
    return f"""
UPDATE idempotency_keys
SET response_status = {status}, response_body = {body or stored}, locked_until = NULL
WHERE owner = {owner} AND key = {key} AND {only_if}"""


_RECORD = record_statement(1)


async def record_response(
    conn: asyncpg.Connection, owner: str, key: str, response: StoredResponse, *, timeout: float
) -> None:
    """Store the answer of (owner, key), inside the caller's transaction."""
    await conn.execute(_RECORD, owner, key, response.status, response.body, timeout=timeout)


class PgIdempotencyStore:
    """The idempotency keys of `idempotency_keys`; see the module docstring for the semantics.

    `lease_s` bounds how long a claim stays "in progress" (409 to a concurrent retry) when its
    request never finishes; it must outlast the longest request (airline calls included).
    """

    def __init__(self, db: Database, *, lease_s: float, ttl_s: float = TTL_S) -> None:
        self._db = db
        self._lease_s = lease_s
        self._ttl_s = ttl_s

    async def claim(self, owner: str, key: str, request: Fingerprint) -> Claimed | Replay:
        """Claim (owner, key) for `request`, or the stored answer to replay.

        Raises `Conflict` while another request holds the key, `ValidationFailed` when the key
        was used for another request, `ServiceUnavailable` when the database cannot be reached.
        """
        args = (owner, key, request.method, request.path, request.body_hash)
        timeout = self._db.timeout_s
        async with self._db.connection() as conn:
            # A key deleted or expired between our statements is simply claimed again.
            for _ in range(3):
                if await conn.fetchval(_CLAIM, *args, self._lease_s, self._ttl_s, timeout=timeout):
                    return Claimed()
                row = await conn.fetchrow(_TAKE_OVER, *args, self._lease_s, timeout=timeout)
                if row is not None:
                    return Claimed(row["resource_id"])
                row = await conn.fetchrow(_READ, owner, key, timeout=timeout)
                if row is None:
                    continue
                if row["expired"]:
                    await conn.execute(_DELETE_EXPIRED, owner, key, timeout=timeout)
                    continue
                return _existing(row, request)
        raise claimed_concurrently()

    async def look_up(self, owner: str, key: str, request: Fingerprint) -> Claimed | Replay | None:
        """What (owner, key) answers before anything is done for `request`, writing nothing in
        the usual cases: None when the key is free (the caller claims it with what it creates,
        `new_key`), the stored answer to replay, or `Claimed(resource_id)` when an earlier
        attempt created something, never answered and its lease lapsed (taken over, as `claim`
        does). Raises as `claim` does: `Conflict` in progress, `ValidationFailed` another request.
        An expired key, or a lapsed one that created nothing, is deleted and counts as free.
        """
        timeout = self._db.timeout_s
        args = (owner, key, request.method, request.path, request.body_hash)
        async with self._db.connection() as conn:
            for _ in range(3):
                row = await conn.fetchrow(_READ, owner, key, timeout=timeout)
                if row is None:
                    return None
                if row["expired"]:
                    await conn.execute(_DELETE_EXPIRED, owner, key, timeout=timeout)
                    return None
                if not (row["response_status"] is None and row["lapsed"] and _same(row, request)):
                    return _existing(row, request)
                if row["resource_id"] is None:
                    await conn.execute(_FORGET_ABANDONED, owner, key, timeout=timeout)
                    return None
                taken = await conn.fetchrow(_TAKE_OVER, *args, self._lease_s, timeout=timeout)
                if taken is not None:
                    return Claimed(taken["resource_id"])
                # Another retry took it over, or it was answered, since we read it: read again.
        raise claimed_concurrently()

    def new_key(self, owner: str, key: str, request: Fingerprint) -> NewKey:
        """(owner, key) to claim, with this store's lease and lifetime, in a creating statement."""
        return NewKey(owner, key, request, self._lease_s, self._ttl_s)

    async def name_resource(self, owner: str, key: str, resource_id: str) -> str:
        """Make `resource_id` the recovery point of this claim before creating it (a retry after
        the lease lapsed is given it, `Claimed.resource_id`, and resumes it); returns it."""
        async with self._db.connection() as conn:
            await conn.execute(_NAME_RESOURCE, owner, key, resource_id, timeout=self._db.timeout_s)
        return resource_id

    async def in_use(self, owner: str, key: str) -> bool:
        """Whether (owner, key) is claimed (answered or not) and not expired."""
        async with self._db.connection() as conn:
            return bool(await conn.fetchval(_IN_USE, owner, key, timeout=self._db.timeout_s))

    async def release(self, owner: str, key: str) -> None:
        """Give up an unanswered claim (see `_RELEASE`)."""
        async with self._db.connection() as conn:
            await conn.execute(_RELEASE, owner, key, timeout=self._db.timeout_s)

    async def complete(self, owner: str, key: str, response: StoredResponse) -> None:
        """Store an answer that no order change produced (e.g. replaying an order's state)."""
        async with self._db.connection() as conn:
            await record_response(conn, owner, key, response, timeout=self._db.timeout_s)

    async def purge_expired(self, *, limit: int = 1000) -> int:
        """Delete up to `limit` expired keys; how many were deleted."""
        async with self._db.connection() as conn:
            status = await conn.execute(
                "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY("
                " SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1))",
                limit,
                timeout=self._db.timeout_s,
            )
        return int(status.split()[-1])


def _same(row: asyncpg.Record, request: Fingerprint) -> bool:
    return (row["request_method"], row["request_path"], bytes(row["request_hash"])) == (
        request.method,
        request.path,
        request.body_hash,
    )


def _existing(row: asyncpg.Record, request: Fingerprint) -> Replay:
    if not _same(row, request):
        raise ValidationFailed(
            [FieldError(FIELD, "was used with a different request (method, path or body)")],
            f"this {HEADER} was already used for a different request; use a new key",
        )
    if row["response_status"] is None:
        raise Conflict(
            f"a request with this {HEADER} is still in progress; retry shortly",
            in_progress=True,
        )
    return Replay(StoredResponse(row["response_status"], bytes(row["response_body"])))
