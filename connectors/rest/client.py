"""HTTP transport to one REST airline: network only, every failure translated in one place."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import aiohttp
import msgspec

from connectors import errors
from connectors.http import AirlineSession, network_errors
from connectors.rest import mapping, wire

logger = logging.getLogger(__name__)

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_error_decoder = msgspec.json.Decoder(wire.ErrorResponse)


class RestAirlineClient:
    """One `aiohttp.ClientSession` per airline, so pools and timeouts are the airline's own."""

    def __init__(self, name: str, base_url: str, *, max_timeout_s: float, max_connections: int):
        self.name = name
        self._base_url = base_url.rstrip("/")
        self._http = AirlineSession(
            name, max_connections=max_connections, max_timeout_s=max_timeout_s
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
        session = await self._http.opened()
        budget = self._http.budget(timeout, path)
        data = None if body is None else _encoder.encode(body)
        with network_errors(self.name, path, budget):
            async with session.request(
                method,
                self._base_url + path,
                data=data,
                params=params,
                headers={"Content-Type": "application/json"} if data is not None else None,
                timeout=aiohttp.ClientTimeout(total=budget),
            ) as response:
                payload = await response.read()
                status = response.status
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
