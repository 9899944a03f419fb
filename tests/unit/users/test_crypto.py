"""Document numbers sealed with AES-GCM: they open only where they were sealed, with the key."""

from __future__ import annotations

import base64

import pytest

from skyfare.settings import Settings
from users.crypto import DEV_KEY, DocumentCipher, key_id
from users.errors import DocumentKeyError, DocumentUnreadable
from users.model import mask

KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()


def test_a_sealed_number_opens_to_itself_and_does_not_contain_it() -> None:
    cipher = DocumentCipher.from_setting(KEY_A)

    sealed = cipher.seal("X1234567", "trv_1")

    assert "X1234567" not in sealed
    assert b"1234567" not in base64.urlsafe_b64decode(sealed.partition(".")[2])
    assert cipher.open(sealed, "trv_1") == "X1234567"


def test_sealing_twice_gives_two_different_values() -> None:
    cipher = DocumentCipher.from_setting(KEY_A)

    assert cipher.seal("X1234567", "trv_1") != cipher.seal("X1234567", "trv_1")


def test_a_value_moved_to_another_row_does_not_open() -> None:
    cipher = DocumentCipher.from_setting(KEY_A)
    sealed = cipher.seal("X1234567", "trv_1")

    with pytest.raises(DocumentUnreadable):
        cipher.open(sealed, "trv_2")


def test_an_altered_value_does_not_open() -> None:
    cipher = DocumentCipher.from_setting(KEY_A)
    kid, _, body = cipher.seal("X1234567", "trv_1").partition(".")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[14] ^= 0x01  # one bit of the ciphertext

    with pytest.raises(DocumentUnreadable):
        cipher.open(f"{kid}.{base64.urlsafe_b64encode(bytes(raw)).decode()}", "trv_1")
    with pytest.raises(DocumentUnreadable):
        cipher.open(f"{kid}.not base64!", "trv_1")
    with pytest.raises(DocumentUnreadable):
        cipher.open(f"{kid}.", "trv_1")


def test_a_value_sealed_under_an_unknown_key_does_not_open() -> None:
    sealed = DocumentCipher.from_setting(KEY_A).seal("X1234567", "trv_1")

    with pytest.raises(DocumentUnreadable, match="not configured"):
        DocumentCipher.from_setting(KEY_B).open(sealed, "trv_1")


def test_rotation_seals_with_the_first_key_and_opens_with_every_key() -> None:
    old = DocumentCipher.from_setting(KEY_A).seal("X1234567", "trv_1")
    rotating = DocumentCipher.from_setting(f"{KEY_B}, {KEY_A}")

    new = rotating.seal("Y7654321", "trv_2")

    assert rotating.open(old, "trv_1") == "X1234567"
    assert new.startswith(key_id(b"b" * 32) + ".")
    assert rotating.sealing_key_id == key_id(b"b" * 32)
    assert DocumentCipher.from_setting(KEY_B).open(new, "trv_2") == "Y7654321"


@pytest.mark.parametrize(
    "setting", ["", "not base64", base64.b64encode(b"short").decode(), f"{KEY_A},"]
)
def test_a_malformed_key_setting_is_refused_naming_the_variable_not_the_key(
    setting: str,
) -> None:
    with pytest.raises(DocumentKeyError, match="SKYFARE_USERS_DOCUMENT_KEY") as caught:
        DocumentCipher.from_setting(setting)

    assert KEY_A not in str(caught.value)


def test_the_settings_default_is_the_development_key() -> None:
    assert Settings().users_document_key == DEV_KEY
    assert DocumentCipher.from_setting(DEV_KEY).sealing_key_id == key_id(base64.b64decode(DEV_KEY))


@pytest.mark.parametrize(
    ("number", "masked"),
    [("X1234567", "•••••4567"), ("123456", "•••••456"), ("12345", "•••••45"), ("1", "•••••")],
)
def test_a_masked_number_shows_at_most_its_last_four_characters(number: str, masked: str) -> None:
    assert mask(number) == masked
