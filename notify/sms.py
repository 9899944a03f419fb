"""SMS through the provider's HTTP API: `POST {base_url}/v1/messages` with a bearer API key.

Kept-alive HTTP/1.1 connections to the provider (kernel/http1.py: aiohttp's client cost a
quarter of the worker's CPU per event), each call within its own total timeout. The API key is a
secret: it lives in the request head built once and never reaches a log line or an error.
"""

from __future__ import annotations

import asyncio

import msgspec

from kernel.http1 import Http1Origin
from notify.errors import DeliveryError, PermanentDeliveryError
from notify.templates import Sms


class SmsBody(msgspec.Struct, frozen=True):
    to: str
    body: str
    reference: str


_encode = msgspec.json.Encoder().encode


class HttpSmsSender:
    """`async with HttpSmsSender(...) as sms: await sms.send(...)`."""

    def __init__(
        self, base_url: str, api_key: str, *, timeout_s: float, connections: int = 32
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/v1/messages"
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._connections = connections
        self._origin: Http1Origin | None = None

    async def __aenter__(self) -> HttpSmsSender:
        self._origin = Http1Origin(
            self._url,
            {"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"},
            connections=self._connections,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._origin is not None:
            await self._origin.close()
            self._origin = None

    async def send(self, sms: Sms, *, key: str) -> None:
        """Hand `sms` to the provider; `key` (event id + channel) is its `reference`."""
        if self._origin is None:
            raise RuntimeError("HttpSmsSender used outside `async with`")
        body = _encode(SmsBody(to=sms.to, body=sms.body, reference=key))
        try:
            async with asyncio.timeout(self._timeout_s):
                status, _ = await self._origin.post(body)
        except (OSError, ValueError, TimeoutError) as exc:
            raise DeliveryError(f"SMS provider unavailable ({type(exc).__name__})") from exc
        if status in (200, 201, 202):
            return
        if status in (400, 422):  # this message is refused (e.g. a bad number): retrying won't help
            raise PermanentDeliveryError(f"SMS provider refused the message ({status})")
        raise DeliveryError(f"SMS provider answered {status}")
