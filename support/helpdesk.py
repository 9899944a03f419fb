"""`Helpdesk`: the ticketing system's API as support needs it (open a case, post a booking update),
and its aiohttp adapter. Every call is bounded by `timeout_s`; failures are `HelpdeskUnavailable`.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import aiohttp
import msgspec

from kernel.logs import describe

logger = logging.getLogger(__name__)

_encode = msgspec.json.Encoder().encode


class HelpdeskUnavailable(Exception):
    """The helpdesk did not answer, or answered an error: nothing is known to have happened."""


class OpenedCase(msgspec.Struct, frozen=True):
    id: str


class Helpdesk(Protocol):
    """The support ticketing system (sim/helpdesk in development and tests)."""

    async def open_case(
        self, external_id: str, subject: str, message: str, *, requester: dict[str, Any],
        context: dict[str, Any],
    ) -> str:  # fmt: skip
        """Open (or find again, by `external_id`) a case; the helpdesk's id for it."""

    async def booking_update(self, reference: str, update: dict[str, Any]) -> None:
        """Attach an order event to the cases about booking `reference` (deduped on its id)."""


class HttpHelpdesk:
    def __init__(self, base_url: str, api_key: str, *, timeout_s: float) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def open_case(
        self, external_id: str, subject: str, message: str, *, requester: dict[str, Any],
        context: dict[str, Any],
    ) -> str:  # fmt: skip
        body = {
            "external_id": external_id,
            "subject": subject,
            "message": message,
            "requester": requester,
            "context": context,
        }
        answer = await self._post("/v1/cases", body)
        try:
            return msgspec.json.decode(answer, type=OpenedCase).id
        except msgspec.DecodeError as exc:
            raise HelpdeskUnavailable(f"the helpdesk answered no case: {exc}") from exc

    async def booking_update(self, reference: str, update: dict[str, Any]) -> None:
        await self._post(f"/v1/bookings/{reference}/updates", update)

    async def _post(self, path: str, body: dict[str, Any]) -> bytes:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(
                self._base + path, data=_encode(body), headers=self._headers
            ) as response:
                answer = await response.read()
                if response.status >= 300:
                    raise HelpdeskUnavailable(f"the helpdesk answered {response.status}")
                return answer
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise HelpdeskUnavailable(f"the helpdesk cannot be reached: {describe(exc)}") from exc
