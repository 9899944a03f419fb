"""The sim identity provider's keys derive from its seed: a restart signs with the same keys."""

from __future__ import annotations

from sim.identity.keys import KeyRing


def test_the_same_seed_derives_the_same_keys_and_key_ids() -> None:
    first, again = KeyRing(42), KeyRing(42)

    assert first.jwks() == again.jwks()
    assert first.current.kid == "sim-42-1"


def test_another_seed_derives_other_keys() -> None:
    ours, theirs = KeyRing(42).jwks()["keys"][0], KeyRing(7).jwks()["keys"][0]

    assert (ours["x"], ours["kid"]) != (theirs["x"], theirs["kid"])


def test_rotation_adds_a_new_current_key_and_keeps_publishing_the_old_one() -> None:
    ring = KeyRing(42)

    new = ring.rotate()

    assert new.kid == "sim-42-2"
    assert ring.current is new
    assert [key["kid"] for key in ring.jwks()["keys"]] == ["sim-42-1", "sim-42-2"]


def test_rotation_that_retires_old_keys_publishes_only_the_new_one() -> None:
    ring = KeyRing(42)
    ring.rotate()

    ring.rotate(retire_old=True)

    assert [key["kid"] for key in ring.jwks()["keys"]] == ["sim-42-3"]


def test_the_published_keys_are_public_only() -> None:
    (key,) = KeyRing(42).jwks()["keys"]

    assert "d" not in key
    assert key | {"alg": "ES256", "use": "sig", "kty": "EC", "crv": "P-256"} == key
