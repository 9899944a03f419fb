"""Document numbers sealed at rest: AES-256-GCM (`cryptography`), keyed from settings.

`DocumentCipher.from_setting("KEY[,OLD_KEY...]")`: each key is 32 bytes in base64; the first
seals, all open, so a key is rotated by putting the new one first and dropping the old one once
no row uses it. Each sealed value names its key by id, the first 8 hex digits of the key's
SHA-256: an id, not a secret, and nothing to configure.

Sealed form: `<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`, a 96-bit random nonce per
value (NIST SP 800-38D's limit of 2^32 values per key is far beyond a user base's passports).
The associated data is the traveler's id, so a value copied onto another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from users.errors import DocumentKeyError, DocumentUnreadable

KEY_BYTES = 32
NONCE_BYTES = 12
# The development key of `make run` and the tests (like the sim's webhook secret): a deployment
# sets its own. Public, so it protects nothing.
DEV_KEY = base64.b64encode(b"skyfare-dev-only-document-key-32").decode()


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


class DocumentCipher:
    """Seals and opens document numbers under the configured keys (the first one seals)."""

    def __init__(self, keys: list[bytes], *, random: Callable[[int], bytes] = os.urandom) -> None:
        if not keys:
            raise DocumentKeyError("SKYFARE_USERS_DOCUMENT_KEY: at least one key is required")
        self._sealing = key_id(keys[0])
        self._keys = {key_id(key): AESGCM(key) for key in keys}
        self._random = random

    @classmethod
    def from_setting(cls, value: str) -> DocumentCipher:
        keys = []
        for i, part in enumerate(p.strip() for p in value.split(",")):
            try:
                key = base64.b64decode(part, validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if len(key) != KEY_BYTES:
                raise DocumentKeyError(
                    f"SKYFARE_USERS_DOCUMENT_KEY: key {i + 1} is not {KEY_BYTES} bytes in base64"
                )
            keys.append(key)
        return cls(keys)

    @property
    def sealing_key_id(self) -> str:
        return self._sealing

    def seal(self, plaintext: str, associated: str) -> str:
        nonce = self._random(NONCE_BYTES)
        sealed = self._keys[self._sealing].encrypt(nonce, plaintext.encode(), associated.encode())
        return f"{self._sealing}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, associated: str) -> str:
        """The plaintext; `DocumentUnreadable` for an unknown key, a malformed or altered value."""
        kid, _, body = sealed.partition(".")
        aead = self._keys.get(kid)
        if aead is None:
            raise DocumentUnreadable(f"sealed under key {kid!r}, which is not configured")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated.encode())
        except (binascii.Error, ValueError, InvalidTag) as exc:
            raise DocumentUnreadable("the sealed value is malformed or was altered") from exc
        return plain.decode()
