"""What a delivery can fail with. `DeliveryError`: temporary (retried with backoff), its
subclass `PermanentDeliveryError`: the provider refused the message itself (no retry helps:
the event goes to the dead-letter stream at once). Messages never carry an address or a number.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A channel could not deliver now: unreachable, timed out, or a temporary refusal."""


class PermanentDeliveryError(DeliveryError):
    """The provider refused this message for good (a bad address or number, a 5xx reply)."""
