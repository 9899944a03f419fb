"""Session cutoffs: every token of a traveler signed in before a moment refused, on every process.

An access token is a JWT this service verifies by itself, and it stays valid until its `exp`
(15 minutes at the sim's identity provider); a refresh keeps the sign-in's `auth_time`. So when
the traveler's sessions must end before that — their account erased (`DELETE /v1/me`) — a
per-subject mark says when, and the authenticator refuses every token signed in (`auth_time`,
else `iat`) before it, or up to its clock-skew leeway after it (skyfare/auth/authenticator.py).

Where it lives, and what a request pays:
- Redis holds the mark (`skyfare:auth:cutoff:<sha256(sub)>`, unix seconds), written by
  `end_sessions`, which also appends it to the capped stream `skyfare:auth:cutoffs`. Kept for
  good, as the profile's tombstones are (users/sql/0301_erased_subjects.sql): a provider that
  rotates refresh tokens keeps a session alive indefinitely with its first `auth_time`, so no
  expiry is sure to outlive it; one short key per erased account.
- Each process keeps a bounded memory of the marks it read (none is remembered as none), each
  trusted for `ttl_s`: a request whose subject was looked up less than `ttl_s` ago pays no I/O;
  an older or unknown one costs one `GET`. Every process follows the stream
  (cache/stream_follow.py) and applies each new mark as it is announced.
- So a cutoff reaches every process within the stream's delivery (milliseconds); a process that
  could not read the stream still meets it within `ttl_s` (`SKYFARE_SESSION_CUTOFF_CACHE_S`),
  and once it reads again it forgets every mark it remembered, in case the cap lost entries.
- Redis not answering the `GET`: a mark remembered (even older than `ttl_s`) still refuses; with
  none, the token is let through (fail open, counted in
  `skyfare_session_cutoff_fail_open_total`), as the traveler rate limits do: Redis must not take
  every traveler route down, and such a token dies at its `exp` anyway.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis

from cache import stream_follow
from cache.model import REDIS_FAILURES
from kernel.counters import MeasuredCounter
from kernel.logs import Outage, describe

logger = logging.getLogger(__name__)

KEY_PREFIX = "skyfare:auth:cutoff:"
STREAM = "skyfare:auth:cutoffs"
# Entries kept: far more than a follower falls behind by between two reads.
MAXLEN = 10_000
DEFAULT_TTL_S = 10.0
MAX_ENTRIES = 65_536

FAIL_OPEN = MeasuredCounter(
    "skyfare_session_cutoff_fail_open_total",
    "Tokens let through without a session-cutoff look-up because Redis did not answer",
)


class CutoffUnavailable(Exception):
    """Redis did not take a cutoff: the sessions it was to end are not ended yet."""


def subject_digest(subject: str) -> str:
    """The key of a subject: short whatever the issuer puts in `sub`, and not the `sub` itself."""
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


class SessionCutoffs:
    """`await cutoffs.cutoff(subject)`: when the sessions of `subject` were last ended, or None.

    `client` is the shared Redis client; `follow` needs a client of its own whose socket
    timeout is longer than its `block_ms`. `timeout_s` bounds setting a cutoff,
    `read_timeout_s` (default: the same) a request's look-up, past which it fails open.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        timeout_s: float,
        read_timeout_s: float | None = None,
        ttl_s: float = DEFAULT_TTL_S,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._read_timeout_s = timeout_s if read_timeout_s is None else read_timeout_s
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        FAIL_OPEN.start()  # read with increase() by the dashboard: a series from the start
        # digest → (mark or None, when read); insertion order is age.
        self._marks: dict[str, tuple[float | None, float]] = {}
        # Redis down: one line as the look-ups start failing and one as they pass again.
        self._outage = Outage(
            logger, "session cutoffs: Redis did not answer", "session cutoffs: Redis answers"
        )

    def __len__(self) -> int:
        """How many subjects' cutoffs (or their absence) this process remembers."""
        return len(self._marks)

    async def end_sessions(self, subject: str, *, at: float) -> None:
        """End, on every process, the sessions of `subject` signed in before `at` (unix
        seconds); `CutoffUnavailable` when Redis does not take it."""
        digest = subject_digest(subject)
        mark = repr(float(at))
        try:
            async with asyncio.timeout(self._timeout_s):
                async with self._client.pipeline(transaction=False) as pipe:
                    pipe.set(KEY_PREFIX + digest, mark)
                    pipe.xadd(
                        STREAM, {"subject": digest, "until": mark}, maxlen=MAXLEN, approximate=True
                    )
                    await pipe.execute()
        except REDIS_FAILURES as exc:
            raise CutoffUnavailable(describe(exc)) from exc
        self._remember(digest, float(at))

    async def cutoff(self, subject: str) -> float | None:
        """The subject's mark: from memory when read within `ttl_s`, else from Redis."""
        digest = subject_digest(subject)
        known = self._marks.get(digest)
        if known is not None and self._clock() - known[1] < self._ttl_s:
            return known[0]
        try:
            async with asyncio.timeout(self._read_timeout_s):
                stored = await self._client.get(KEY_PREFIX + digest)
        except REDIS_FAILURES as exc:
            FAIL_OPEN.inc()
            self._outage.failed(exc)
            return known[0] if known is not None else None
        self._outage.passed()
        # A mark the stream announced while the GET was in flight is not undone by its answer.
        mark = _later(_as_mark(stored), self._marks.get(digest))
        self._remember(digest, mark)
        return mark

    async def follow(self, client: aioredis.Redis, *, block_ms: int = 2000) -> None:
        """Apply every mark other processes announce, until cancelled."""
        await stream_follow.follow(
            client,
            STREAM,
            self.apply,
            on_gap=self._marks.clear,
            what="session cutoffs",
            block_ms=block_ms,
        )

    def apply(self, fields: dict[Any, Any]) -> None:
        """Take one announced mark (a stream entry's fields)."""
        digest = stream_follow.field(fields, "subject")
        mark = _as_mark(stream_follow.field(fields, "until"))
        if digest is None or mark is None:
            return
        self._remember(digest, _later(mark, self._marks.get(digest)))

    def _remember(self, digest: str, mark: float | None) -> None:
        marks = self._marks
        marks.pop(digest, None)  # to the young end
        if len(marks) >= self._max_entries:
            del marks[next(iter(marks))]
        marks[digest] = (mark, self._clock())


def _later(mark: float | None, known: tuple[float | None, float] | None) -> float | None:
    """The later of `mark` and the one remembered: marks only ever move forward."""
    if known is None or known[0] is None:
        return mark
    return known[0] if mark is None else max(mark, known[0])


def _as_mark(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value.decode() if isinstance(value, bytes) else value)
    except ValueError:
        return None
