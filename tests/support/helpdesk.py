"""The helpdesk sim's control API for tests: act as an agent, read cases and deliveries."""

from __future__ import annotations

from typing import Any

import aiohttp

AGENT = {"id": "agent-7", "name": "Grace at Skyfare"}


class HelpdeskControl:
    def __init__(self, sim_url: str, session: aiohttp.ClientSession) -> None:
        self._url = sim_url
        self._session = session

    async def configure_webhook(self, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call("PUT", "/_sim/helpdesk/webhook", fields)
        return answer

    async def cases(self, external_id: str | None = None) -> list[dict[str, Any]]:
        query = "" if external_id is None else f"?external_id={external_id}"
        cases: list[dict[str, Any]] = (await self._call("GET", f"/_sim/helpdesk/cases{query}"))[
            "cases"
        ]
        return cases

    async def case(self, external_id: str) -> dict[str, Any]:
        [case] = await self.cases(external_id)
        return case

    async def reply(self, case_id: str, body: str, agent: dict[str, str] = AGENT) -> str:
        answer = await self._call(
            "POST", f"/_sim/helpdesk/cases/{case_id}/reply", {"agent": agent, "body": body}
        )
        return str(answer["event_id"])

    async def act(self, case_id: str, **action: Any) -> str:
        answer = await self._call(
            "POST", f"/_sim/helpdesk/cases/{case_id}/actions", {"agent": AGENT, "action": action}
        )
        return str(answer["event_id"])

    async def deliveries(self, event_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await self._call("GET", f"/_sim/helpdesk/deliveries?event_id={event_id}")
        )["deliveries"]
        return found

    async def delivered(self, event_id: str) -> bool:
        return any(d["state"] == "delivered" for d in await self.deliveries(event_id))

    async def redeliver(self, event_id: str) -> None:
        await self._call("POST", f"/_sim/helpdesk/events/{event_id}/redeliver")

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        async with self._session.request(method, self._url + path, json=json) as response:
            response.raise_for_status()
            return await response.json() if response.status != 204 else None
