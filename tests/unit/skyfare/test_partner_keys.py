"""Partner API keys: format, entropy, hashing."""

from __future__ import annotations

import hashlib
import re

from skyfare.partners import PREFIX_LENGTH, generate_key, hash_key


def test_keys_are_sk_live_and_32_url_safe_characters() -> None:
    key = generate_key()
    assert re.fullmatch(r"sk_live_[A-Za-z0-9_-]{32}", key)


def test_keys_are_random() -> None:
    assert len({generate_key() for _ in range(1000)}) == 1000


def test_the_stored_hash_is_sha256_of_the_key() -> None:
    key = generate_key()
    assert hash_key(key) == hashlib.sha256(key.encode()).digest()
    assert hash_key(key) != hash_key(generate_key())


def test_the_prefix_shows_the_scheme_and_a_few_random_characters_only() -> None:
    key = generate_key()
    assert key[:PREFIX_LENGTH].startswith("sk_live_")
    assert len(key) - PREFIX_LENGTH >= 28  # 168 bits stay secret
