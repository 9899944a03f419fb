"""HTTP transport to one NDC airline: network only, every failure translated in one place."""

from __future__ import annotations

import logging
from pathlib import Path

from lxml import etree

from connectors import errors
from connectors.http import AirlineSession
from connectors.ndc import mapping, schemas

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/xml; charset=utf-8"
_XML_BODY = {"Content-Type": CONTENT_TYPE}


class NdcAirlineClient:
    """One `AirlineSession` per airline, so pools and timeouts are the airline's own.

    `api_key`, when given, goes as `Authorization: Bearer <key>` on every call. With
    `schema_folder` (certification runs) every answer is checked against its NDC 21.3 schema
    and one that is not valid is the airline being unavailable.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        max_timeout_s: float,
        max_connections: int,
        api_key: str | None = None,
        schema_folder: Path | None = None,
    ) -> None:
        self.name = name
        self._schema_folder = schema_folder
        headers = {"Accept": "application/xml"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = AirlineSession(
            name,
            base_url,
            max_connections=max_connections,
            max_timeout_s=max_timeout_s,
            headers=headers,
        )

    async def open(self) -> None:
        await self._http.open()

    async def close(self) -> None:
        await self._http.close()

    async def call(self, path: str, body: bytes | None, *, timeout: float) -> etree._Element:
        """POST `body` (GET without one) and return the answer's root element.

        Raises `ConnectorTimeout`, `ConnectorUnavailable` (network, 5xx, unparseable XML) or the
        `SupplierRejected` an NDC `<Errors>` block stands for.
        """
        status, payload = await self._http.call(
            "GET" if body is None else "POST",
            path,
            timeout=timeout,
            body=body,
            headers=None if body is None else _XML_BODY,
        )
        if status >= 500:
            raise errors.ConnectorUnavailable(f"{self.name}: {path} answered HTTP {status}")
        root = mapping.parse(payload, airline=self.name)
        if self._schema_folder is not None and body is not None:
            self._validate(root, path)
        mapping.raise_for_errors(root, airline=self.name)
        if status >= 300:
            raise errors.ConnectorUnavailable(f"{self.name}: {path} answered HTTP {status}")
        return root

    def _validate(self, root: etree._Element, path: str) -> None:
        try:
            schemas.validate(root, self._schema_folder or Path())
        except (schemas.SchemaInvalid, schemas.SchemasUnavailable) as exc:
            logger.warning("connector %s: %s answer is not NDC 21.3: %s", self.name, path, exc)
            raise errors.ConnectorUnavailable(
                f"{self.name}: {path} answer is not NDC 21.3: {exc}"
            ) from exc
