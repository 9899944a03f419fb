"""SMS through the provider's HTTP API: `POST {base_url}/v1/messages` with a bearer API key.

One ClientSession for the provider, with its own total timeout per call. The API key is a
secret: it lives in the session's default headers and never reaches a log line or an error.
"""

from __future__ import annotations

import aiohttp
import msgspec

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
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpSmsSender:
        self._session = aiohttp.ClientSession(
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(limit=self._connections),
            headers={
                "Authorization": f"Bearer {self._api_key}",
                "Content-Type": "application/json",  # every request's: merged once, not per send
            },
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, sms: Sms, *, key: str) -> None:
        """Hand `sms` to the provider; `key` (event id + channel) is its `reference`."""
        if self._session is None:
            raise RuntimeError("HttpSmsSender used outside `async with`")
        body = _encode(SmsBody(to=sms.to, body=sms.body, reference=key))
        try:
            async with self._session.post(self._url, data=body) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"SMS provider unavailable ({type(exc).__name__})") from exc
        if status in (200, 201, 202):
            return
        if status in (400, 422):  # this message is refused (e.g. a bad number): retrying won't help
            raise PermanentDeliveryError(f"SMS provider refused the message ({status})")
        raise DeliveryError(f"SMS provider answered {status}")
