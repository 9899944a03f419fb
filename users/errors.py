"""The user service's own failures (clients see `kernel.errors`; these are the server's).

- `UsersError` — base.
  - `DocumentKeyError` (also a `ValueError`): the document key setting is malformed; the app
    refuses to start, naming SKYFARE_USERS_DOCUMENT_KEY, never the key.
  - `DocumentUnreadable`: a stored document number does not open: sealed under a key that is no
    longer configured, or altered in the database (AES-GCM's tag fails). A server fault (500,
    logged with the traveler id), never a client's.
"""

from __future__ import annotations


class UsersError(Exception):
    pass


class DocumentKeyError(UsersError, ValueError):
    pass


class DocumentUnreadable(UsersError):
    pass
