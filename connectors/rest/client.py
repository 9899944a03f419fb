"""HTTP transport to one REST airline: network only, every failure translated in one place."""

from __future__ import annotations

import logging
from typing import Any, TypeVar
from urllib.parse import urlencode

import msgspec

from connectors import errors
from connectors.http import AirlineSession
from connectors.rest import mapping, wire

logger = logging.getLogger(__name__)

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_error_decoder = msgspec.json.Decoder(wire.ErrorResponse)
_JSON = {"Content-Type": "application/json"}


class RestAirlineClient:
    """One `AirlineSession` per airline, so pools and timeouts are the airline's own."""

    def __init__(self, name: str, base_url: str, *, max_timeout_s: float, max_connections: int):
        self.name = name
        self._http = AirlineSession(
            name, base_url, max_connections=max_connections, max_timeout_s=max_timeout_s
        )

    async def open(self) -> None:
        await self._http.open()

    async def close(self) -> None:
        await self._http.close()

    async def call(
        self,
        method: str,
        path: str,
        decoder: msgspec.json.Decoder[T],
        *,
        timeout: float,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> T:
        """Send one request and decode a 2xx answer with `decoder`; raise `ConnectorError`s."""
        data = None if body is None else _encoder.encode(body)
        status, payload = await self._http.call(
            method,
            path if params is None else f"{path}?{urlencode(params)}",
            timeout=timeout,
            body=data,
            headers=_JSON if data is not None else None,
        )
        if status >= 300:
            raise mapping.error_for(status, _decode_error(payload), airline=self.name)
        try:
            return decoder.decode(payload)
        except msgspec.DecodeError as exc:
            raise errors.ConnectorUnavailable(f"{self.name}: malformed answer: {exc}") from exc


def _decode_error(payload: bytes) -> wire.ErrorResponse | None:
    try:
        return _error_decoder.decode(payload)
    except msgspec.DecodeError:
        return None
