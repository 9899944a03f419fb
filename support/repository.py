"""`PgSupportRepository`: support cases, their messages and the webhook events applied.

An agent's reply is one transaction: the event's id claimed (a redelivery finds it and changes
nothing), the message, the case's status and the `support.replied` outbox event (relayed to the
event stream like every order event; the notification worker mails it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from booking.pg import Database
from kernel.cursors import Position
from support.model import CaseView, MessageView

_messages = msgspec.json.Decoder(tuple[MessageView, ...])

_SELECT_CASES = """
SELECT c.id, c.order_id, o.booking_reference, c.subject, c.status, c.created_at, c.updated_at,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('author', m.author, 'body', m.body,
                                                     'at', m.at, 'agent', m.agent)
                                  ORDER BY m.at, m.id),
                        '[]'::jsonb)
        FROM support_messages m WHERE m.case_id = c.id) AS messages
FROM support_cases c JOIN orders o ON o.id = c.order_id"""

_CASES_OF = f"{_SELECT_CASES} WHERE c.owner = $1"
_NEWEST = "c.created_at DESC, c.id DESC"  # on support_cases_owner (support/sql/0400)

# The cases about a traveler: opened by them, or anonymously about one of their orders ($1: sub).
_ABOUT = "c.owner = $1 OR (c.owner IS NULL AND o.owner = $1)"
ERASED = "[erased at the traveler's request]"
# + the order's id: the scope of an anonymous caller's Idempotency-Keys (support/service.py).
ANONYMOUS_OWNER = "anonymous:"

_CLAIM = """
INSERT INTO support_webhook_events (event_id, type) VALUES ($1, $2)
ON CONFLICT (event_id) DO NOTHING RETURNING event_id"""


# One statement: the case and its first message, or nothing when the case is there already.
_CREATE = """
WITH created AS (
    INSERT INTO support_cases (id, owner, order_id, helpdesk_id, subject)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id
)
INSERT INTO support_messages (case_id, author, body)
SELECT id, 'traveler', $6 FROM created RETURNING case_id"""


class CaseRef(msgspec.Struct, frozen=True):
    id: str
    order_id: str
    subject: str


class ReferencedBooking(msgspec.Struct, frozen=True):
    """What an anonymous case is checked against before anything else is read."""

    order_id: str
    status: str
    family_names: tuple[str, ...]


_BY_REFERENCE = """
SELECT o.id, o.status,
       array(SELECT p.family_name FROM order_passengers p WHERE p.order_id = o.id) AS family_names
FROM orders o WHERE o.booking_reference = $1"""


def new_case_id() -> str:
    return f"cas_{uuid.uuid4().hex[:24]}"


class PgSupportRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def booking_by_reference(self, reference: str) -> ReferencedBooking | None:
        """The order holding `reference` with its passengers' family names, in one query: an
        anonymous caller's wrong name then costs what an unknown reference does."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(_BY_REFERENCE, reference, timeout=self._db.timeout_s)
        if row is None:
            return None
        return ReferencedBooking(row["id"], row["status"], tuple(row["family_names"]))

    async def create(
        self, case_id: str, *, owner: str | None, order_id: str, helpdesk_id: str, subject: str,
        message: str,
    ) -> bool:  # fmt: skip
        """Store the case with its first message; False when `case_id` is stored already (a
        retry resuming an attempt that stored it and died before answering)."""
        async with self._db.connection() as conn:
            created = await conn.fetchval(
                _CREATE, case_id, owner, order_id, helpdesk_id, subject, message,
                timeout=self._db.timeout_s,
            )  # fmt: skip
        return created is not None

    async def get(self, case_id: str) -> CaseView | None:
        rows = await self._fetch(f"{_SELECT_CASES} WHERE c.id = $1", case_id)
        return rows[0] if rows else None

    async def cases_of(
        self, owner: str, *, limit: int, after: Position | None = None
    ) -> list[CaseView]:
        """The cases `owner` opened, newest first, older than `after` when given."""
        if after is None:
            return await self._fetch(f"{_CASES_OF} ORDER BY {_NEWEST} LIMIT $2", owner, limit)
        return await self._fetch(
            f"{_CASES_OF} AND (c.created_at, c.id) < ($3, $4) ORDER BY {_NEWEST} LIMIT $2",
            owner, limit, after.created_at, after.id,
        )  # fmt: skip

    async def _fetch(self, query: str, *args: object) -> list[CaseView]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(query, *args, timeout=self._db.timeout_s)
        return [
            CaseView(
                id=row["id"],
                order_id=row["order_id"],
                booking_reference=row["booking_reference"],
                subject=row["subject"],
                status=row["status"],
                messages=_messages.decode(row["messages"]),
                created_at=row["created_at"],
                updated_at=row["updated_at"],
            )
            for row in rows
        ]

    async def find(self, helpdesk_id: str, external_id: str) -> CaseRef | None:
        """The case the helpdesk names, by its id for it or by ours."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT id, order_id, subject FROM support_cases"
                " WHERE helpdesk_id = $1 OR id = $2 LIMIT 1",
                helpdesk_id, external_id, timeout=self._db.timeout_s,
            )  # fmt: skip
        return None if row is None else CaseRef(row["id"], row["order_id"], row["subject"])

    async def applied(self, event_id: str) -> bool:
        async with self._db.connection() as conn:
            found = await conn.fetchval(
                "SELECT 1 FROM support_webhook_events WHERE event_id = $1",
                event_id,
                timeout=self._db.timeout_s,
            )
        return found is not None

    async def record(self, event_id: str, type: str) -> None:
        async with self._db.connection() as conn:
            await conn.execute(_CLAIM, event_id, type, timeout=self._db.timeout_s)

    async def add_reply(
        self, event_id: str, case: CaseRef, *, agent: str | None, body: str, outbox: dict[str, Any],
        written_at: dt.datetime | None = None,
    ) -> bool:  # fmt: skip
        """Record an agent's reply and its `support.replied` event; False for a redelivery.
        `written_at`: when the agent wrote it (the helpdesk's clock), else now; never before
        the case was opened (a helpdesk clock behind ours would put it above the question)."""
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            if await conn.fetchval(_CLAIM, event_id, "case.replied", timeout=timeout) is None:
                return False
            await conn.execute(
                "INSERT INTO support_messages (case_id, author, agent, body, at)"
                " SELECT $1, 'agent', $2, $3, greatest(coalesce($4, now()), c.created_at)"
                " FROM support_cases c WHERE c.id = $1",
                case.id, agent, body, written_at, timeout=timeout,
            )  # fmt: skip
            await conn.execute(
                "UPDATE support_cases SET status = 'answered', updated_at = now() WHERE id = $1",
                case.id,
                timeout=timeout,
            )
            await conn.execute(
                "INSERT INTO outbox (event_id, type, order_id, payload)"
                " VALUES ($1::uuid, 'support.replied', $2, $3::jsonb)",
                outbox["id"], case.order_id, msgspec.json.encode(outbox).decode(),
                timeout=timeout,
            )  # fmt: skip
        return True

    async def cases_about(self, subject: str) -> list[CaseView]:
        """A traveler's cases for their data export: those they opened, and those opened
        anonymously (booking reference + family name) about their orders."""
        return await self._fetch(
            f"{_SELECT_CASES} WHERE {_ABOUT} ORDER BY c.created_at DESC, c.id DESC", subject
        )

    async def erase_about(self, subject: str) -> int:
        """Erase the words of a traveler's cases (subject and every message: the traveler's
        and the agents' replies to them may both name people, and the stored answers of the
        anonymous ones' Idempotency-Keys; the traveler's own are booking's), keeping each
        case's row (its order, status and times: the record that the service was given).
        Idempotent; how many cases had words erased."""
        async with self._db.transaction() as conn:
            erased = await conn.fetch(
                "UPDATE support_cases c SET subject = $2, updated_at = now()"
                f" FROM orders o WHERE o.id = c.order_id AND ({_ABOUT})"
                " AND c.subject <> $2 RETURNING c.id",
                subject, ERASED, timeout=self._db.timeout_s,
            )  # fmt: skip
            await conn.execute(
                "UPDATE support_messages m SET body = $2, agent = NULL FROM support_cases c,"
                f" orders o WHERE m.case_id = c.id AND o.id = c.order_id AND ({_ABOUT})",
                subject, ERASED, timeout=self._db.timeout_s,
            )  # fmt: skip
            # The stored answers of anonymous cases about their orders hold the words too.
            await conn.execute(
                "DELETE FROM idempotency_keys WHERE response_status IS NOT NULL AND owner IN"
                " (SELECT $2 || o.id FROM orders o WHERE o.owner = $1)",
                subject, ANONYMOUS_OWNER, timeout=self._db.timeout_s,
            )  # fmt: skip
        return len(erased)

    async def has_cases(self, order_id: str) -> bool:
        async with self._db.connection() as conn:
            found = await conn.fetchval(
                "SELECT 1 FROM support_cases WHERE order_id = $1 LIMIT 1",
                order_id,
                timeout=self._db.timeout_s,
            )
        return found is not None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
