"""Fare ids: everything needed to rebuild a quoted fare, signed so that nobody can forge one.

The sim keeps no table of quotes: `/pricing` and `/bookings` decode the id, check its HMAC (keyed
per sim and per airline, so one airline's id is not another's) and price the flights again.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac

import msgspec

from sim.catalog import Cabin

_SIGNATURE_BYTES = 9  # 72 bits: forging is hopeless, and the id stays short


class FareKey(msgspec.Struct, frozen=True, array_like=True):
    """A quoted fare: its flights per journey, for whom, in what, at what total, until when."""

    journeys: tuple[tuple[tuple[str, str, int], ...], ...]  # (carrier, number, date ordinal)
    cabin: Cabin
    adults: int
    children: int
    infants: int
    currency: str
    total: int  # cents
    valid_until: int  # epoch seconds, UTC

    @property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.valid_until, dt.UTC)


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(FareKey)


class FareIdCodec:
    """Encodes and verifies the fare ids of one airline."""

    def __init__(self, secret: bytes, airline: str) -> None:
        self._key = hmac.new(secret, airline.encode(), hashlib.sha256).digest()

    def encode(self, key: FareKey) -> str:
        payload = _encoder.encode(key)
        token = payload + self._sign(payload)
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")

    def decode(self, fare_id: str) -> FareKey | None:
        """The key of a fare id this airline issued, or None for anything else."""
        try:
            raw = base64.urlsafe_b64decode(fare_id + "=" * (-len(fare_id) % 4))
        except (binascii.Error, ValueError):
            return None
        payload, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
        if len(raw) <= _SIGNATURE_BYTES or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            return _decoder.decode(payload)
        except msgspec.DecodeError:
            return None

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
