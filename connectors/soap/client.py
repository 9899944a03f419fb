# zeep ships py.typed but leaves most functions unannotated; calling them is the point here.
# mypy: disable-error-code="no-untyped-call"
"""Transport to one SOAP airline: zeep for the XML, the connector's own connections for HTTP.

zeep builds every envelope (with the WS-Security UsernameToken) and parses the small answers
against the WSDL's types (`call`); the shopping answer, too big for that on the event loop, goes
raw to a pure lxml reader (`call_raw`, connectors/soap/shopping.py). zeep never opens a socket:
`PrefetchedTransport` answers zeep's document loads from the WSDL and XSDs this client fetched
over the airline's kept-alive connections (connectors/http.py), and calls go out on the same
connections, the WSDL's load and the call together within the caller's remaining budget. One pool
per airline, one deadline mechanism (zeep's own AsyncTransport would bring httpx as a second).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urljoin

import zeep
import zeep.exceptions
from lxml import etree
from zeep.wsse.username import UsernameToken

from connectors import errors
from connectors.http import USER_AGENT, AirlineSession, network_errors
from connectors.soap import mapping
from connectors.soap.templates import RequestTemplates
from kernel.http1 import BadAnswer, Http1Origin
from kernel.logs import describe
from kernel.timeouts import within

logger = logging.getLogger(__name__)

T = TypeVar("T")
_XSD = "http://www.w3.org/2001/XMLSchema"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
# What parsing or reading an answer raises when the airline sends something we cannot use.
_MALFORMED = (zeep.exceptions.Error, etree.LxmlError, AttributeError, TypeError, ValueError)


class PrefetchedTransport(zeep.Transport):
    """A zeep transport over documents fetched beforehand; it has no network of its own."""

    def __init__(self, documents: Mapping[str, bytes]) -> None:
        super().__init__()
        self._documents = dict(documents)

    def load(self, url: str) -> bytes:
        try:
            return self._documents[url]
        except KeyError:
            raise zeep.exceptions.TransportError(f"not fetched beforehand: {url}") from None

    def post(self, address: str, message: str, headers: dict[str, str]) -> Any:
        raise RuntimeError("PrefetchedTransport does not send; SoapAirlineClient does")


class _Reply(NamedTuple):
    """The parts of an HTTP answer zeep's `process_reply` reads (it expects a requests.Response)."""

    status_code: int
    content: bytes
    headers: Mapping[str, str]
    encoding: str | None = None


def build_client(
    wsdl_url: str, documents: Mapping[str, bytes], *, username: str, password: str
) -> zeep.Client:
    """A zeep client for the WSDL among `documents`, signing every call with a UsernameToken."""
    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    return zeep.Client(
        wsdl_url,
        transport=PrefetchedTransport(documents),
        settings=settings,
        wsse=UsernameToken(username, password, use_digest=True),
    )


def build_request(
    client: zeep.Client, operation: str, body: Mapping[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """The envelope of one call and its HTTP headers (SOAPAction from the WSDL)."""
    return build_envelope(client, operation, body), request_headers(client, operation)


def build_envelope(client: zeep.Client, operation: str, body: Mapping[str, Any]) -> bytes:
    """zeep's own build of one call's envelope, signed (`RequestTemplates` repeats it)."""
    envelope = client.create_message(client.service, operation, **body)
    return etree.tostring(envelope, encoding="utf-8")


def request_headers(client: zeep.Client, operation: str) -> dict[str, str]:
    action = client.service._binding.get(operation).soapaction
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}


def parse_reply(
    client: zeep.Client, operation: str, status: int, payload: bytes, *, airline: str
) -> Any:
    """The answer's body element as zeep objects; raise `ConnectorError`s for faults and garbage.

    Pure (no I/O), so recorded answers can be parsed in unit tests exactly as live ones.
    """
    binding = client.service._binding
    try:
        return binding.process_reply(
            client, binding.get(operation), _Reply(status, payload, {"Content-Type": "text/xml"})
        )
    except zeep.exceptions.Fault as exc:
        raise mapping.fault_error(str(exc.code or ""), exc.message, airline=airline) from exc
    except _MALFORMED as exc:
        raise errors.ConnectorUnavailable(
            f"{airline}: malformed answer (HTTP {status}): {exc}"
        ) from exc


async def fetch_documents(
    get: Callable[[str], Awaitable[bytes]], wsdl_url: str
) -> dict[str, bytes]:
    """The WSDL and every XSD it imports or includes (transitively), keyed by absolute URL;
    `get(url)` fetches one."""
    documents: dict[str, bytes] = {}
    pending = [wsdl_url]
    while pending:
        url = pending.pop()
        if url in documents:
            continue
        documents[url] = await get(url)
        tree = etree.fromstring(documents[url], _PARSER)
        for node in tree.iter(f"{{{_XSD}}}import", f"{{{_XSD}}}include"):
            location = node.get("schemaLocation")
            if location:
                pending.append(urljoin(url, location))
    return documents


class SoapAirlineClient:
    """One `AirlineSession` per airline, and the zeep client built once from its WSDL."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        username: str,
        password: str,
        max_timeout_s: float,
        max_connections: int,
    ) -> None:
        self.name = name
        self._session = AirlineSession(
            name, base_url, max_connections=max_connections, max_timeout_s=max_timeout_s
        )
        self.wsdl_url = self._session.base_url + "?wsdl"
        self._credentials = (username, password)
        self._zeep: zeep.Client | None = None
        self._templates: RequestTemplates | None = None
        self._loading = asyncio.Lock()

    async def open(self) -> None:
        await self._session.open()

    async def close(self) -> None:
        await self._session.close()

    async def call(
        self, operation: str, body: Mapping[str, Any], read: Callable[[Any], T], *, timeout: float
    ) -> T:
        """Send one operation and `read` its answer; every failure becomes a `ConnectorError`."""
        client, status, payload = await self._exchange(operation, body, timeout)
        answer = parse_reply(client, operation, status, payload, airline=self.name)
        if getattr(answer, "Errors", None) is not None:
            raise mapping.rejection(answer.Errors, airline=self.name)
        try:
            return read(answer)
        except _MALFORMED as exc:
            raise errors.ConnectorUnavailable(
                f"{self.name}: unexpected {operation} answer: {describe(exc)}"
            ) from exc

    async def call_raw(
        self,
        operation: str,
        body: Mapping[str, Any],
        parse: Callable[[int, bytes], T],
        *,
        timeout: float,
    ) -> T:
        """Send one operation (zeep builds and signs it) and hand the HTTP status and raw answer
        to `parse`, which raises `ConnectorError`s itself: for answers too big for zeep's typed
        parse on the event loop (bench/soap_cost.py)."""
        _client, status, payload = await self._exchange(operation, body, timeout)
        return parse(status, payload)

    async def _exchange(
        self, operation: str, body: Mapping[str, Any], timeout: float
    ) -> tuple[zeep.Client, int, bytes]:
        budget = self._session.budget(timeout, operation)
        try:
            with network_errors(self.name, operation, budget):
                return await within(budget, self._send(operation, body))
        except _MALFORMED as exc:  # a WSDL we cannot build a client from
            raise errors.ConnectorUnavailable(f"{self.name}: unusable WSDL: {exc}") from exc

    async def _send(
        self, operation: str, body: Mapping[str, Any]
    ) -> tuple[zeep.Client, int, bytes]:
        """The WSDL's load (the first call) and the call, within one budget (`_exchange`)."""
        client = await self._client()
        assert self._templates is not None  # built with the client
        data = self._templates.build(operation, body)
        headers = request_headers(client, operation)
        origin = self._session.started()
        status, payload = await origin.request("POST", origin.path, body=data, headers=headers)
        return client, status, payload

    async def _client(self) -> zeep.Client:
        if self._zeep is not None:
            return self._zeep
        async with self._loading:  # one fetch, however many calls wait for it
            if self._zeep is None:
                documents = await fetch_documents(self._get, self.wsdl_url)
                username, password = self._credentials
                client = build_client(
                    self.wsdl_url, documents, username=username, password=password
                )
                self._templates = RequestTemplates(
                    client,
                    password=password,
                    fallback=lambda op, body: build_envelope(client, op, body),
                )
                self._zeep = client
                logger.info("connector %s: WSDL loaded from %s", self.name, self.wsdl_url)
        return self._zeep

    async def _get(self, url: str) -> bytes:
        """One WSDL or XSD document: on the airline's connections, or (a schema hosted
        elsewhere) on a connection of its own."""
        origin = self._session.started()
        try:
            target = origin.target(url)
        except ValueError:
            elsewhere = Http1Origin(url, {"User-Agent": USER_AGENT}, connections=1)
            try:
                status, document = await elsewhere.request("GET")
            finally:
                await elsewhere.close()
        else:
            status, document = await origin.request("GET", target)
        if not 200 <= status < 300:  # as aiohttp's raise_for_status; no redirects to follow
            raise BadAnswer(f"GET {url} answered HTTP {status}")
        return document
