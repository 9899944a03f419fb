"""How a log line, or an error message that ends up in one, names an exception, and how a
failure that repeats is logged (`Outage`).

Not with `%r`: redis-py 8.2's errors have a `repr()` without their message
(`network:ConnectionError`), so a log said that Redis failed but not why (refused, timed out,
a certificate that failed verification).
"""

from __future__ import annotations

import logging


class Outage:
    """A failure met again and again (a probe, a scrape, a retry) logged as it starts, with why
    (`down: <exception>`, a warning), and as it ends (`up`, at `up_level`): a line at every
    probe was a flood per process for as long as the outage lasted."""

    def __init__(
        self, logger: logging.Logger, down: str, up: str, *, up_level: int = logging.INFO
    ) -> None:
        self._logger = logger
        self._down = down
        self._up = up
        self._up_level = up_level
        self.ongoing = False

    def failed(self, exc: BaseException) -> None:
        if not self.ongoing:
            self.ongoing = True
            self._logger.warning("%s: %s", self._down, describe(exc))

    def passed(self) -> None:
        if self.ongoing:
            self.ongoing = False
            self._logger.log(self._up_level, "%s", self._up)


def describe(exc: BaseException) -> str:
    """`ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection refused.`: the
    type's name and the message, the name alone when there is no message; then the direct
    cause (`raise … from cause`) when it says something the message does not, as in
    `TimeoutError (from ConnectionError: Error 111 …)`."""
    said = _type_and_message(exc)
    cause = exc.__cause__
    # A cause without a message adds only a type name (as a CancelledError would).
    if cause is None or not str(cause) or _quotes(str(exc), cause):
        return said
    return f"{said} (from {_type_and_message(cause)})"


def _quotes(message: str, cause: BaseException) -> bool:
    """Whether `message` already says what `cause` does. redis-py quotes an OSError's strerror
    (`Error 111 connecting to …. Connection refused.`), not its str (`[Errno 111] …`); a message
    of ours quotes the cause whole (`CacheError(f"redis GET failed: {describe(exc)}")`)."""
    strerror = cause.strerror if isinstance(cause, OSError) else None
    return str(cause) in message or bool(strerror and strerror in message)


def _type_and_message(exc: BaseException) -> str:
    message = str(exc)
    name = type(exc).__name__
    return f"{name}: {message}" if message else name
