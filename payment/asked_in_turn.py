"""The reconciler's work taken in turn (payment/sql/0208): the rows it asked least recently first.

A row the gateway never answers or keeps refusing keeps its `updated_at` (nothing moved), so a
round that took the oldest `updated_at` first took the same rows every time, and a batch full of
them starved the rows behind it. Each row records when a round last took it (`asked_at`), and a
round takes the never asked first, then the least recently asked: every row waiting is asked
within a few rounds, however many keep failing. Payments and seat charges share this; the
cancellations' refund parts (0207) are taken in the same turn but by order, in their own
statement (payment/cancellation_refunds.py `_PICK` says why it cannot be this one).
"""

from __future__ import annotations


def asked_in_turn(table: str, columns: str, where: str, *, limit: str) -> str:
    """A statement taking up to `limit` (a parameter, e.g. "$3") rows of `table` that match
    `where`, the least recently asked first (then the oldest change), stamping them asked as it
    takes them; their `columns`, in that order. Rows another reconciler is taking at that moment
    are skipped (SKIP LOCKED): two rounds at once split the work instead of waiting on each
    other, and stamp no row twice in one instant."""
    return f"""
WITH picked AS (
    SELECT id, coalesce(asked_at, '-infinity') AS asked, updated_at AS changed FROM {table}
    WHERE {where} ORDER BY asked, changed, id LIMIT {limit} FOR UPDATE SKIP LOCKED
), stamped AS (
    UPDATE {table} t SET asked_at = now() FROM picked WHERE t.id = picked.id
)
SELECT {columns} FROM {table} JOIN picked USING (id) ORDER BY asked, changed, id"""
