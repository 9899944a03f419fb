"""The SOAP front of a simulated airline: OTA 2003/05 over SOAP 1.1 with WS-Security.

One POST endpoint dispatches on SOAPAction (or, without one, on the body element) to one
`SimAirline` method; the WSDL and its XSD are served beside it. Business refusals are OTA
`<Errors>` in an HTTP 200 answer; what is wrong with the envelope or the credentials is a Fault.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from typing import NamedTuple

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from lxml import etree

from sim import errors
from sim.airline import Quote, SimAirline
from sim.answer_templates import AnswerTemplates
from sim.catalog import AirlineSpec
from sim.control import Behaviour
from sim.soap import change_messages, envelope, messages, seat_messages

ACTION_PREFIX = "urn:skyfare:sim:nordic#"
_XML = "text/xml"


class Operation(NamedTuple):
    request: str  # the OTA element the body must hold
    response: str
    endpoint: str  # its name in the sim's stats (control.ENDPOINTS)
    # The answer: its body element, or (a shopping answer from its template) the envelope's bytes.
    run: Callable[[SimAirline, etree._Element], etree._Element | bytes]


def _search_body(quotes: Sequence[Quote], seller: AirlineSpec) -> bytes:
    return envelope.envelope(
        messages.pricing_response("OTA_AirLowFareSearchRS", list(quotes), seller)
    )


def _search_variables(quote: Quote) -> tuple[str, str]:
    return quote.fare_id, messages.utc(quote.key.expires_at)


_SEARCHES = AnswerTemplates(_search_body, _search_variables)


def _search(airline: SimAirline, rq: etree._Element) -> bytes:
    return _SEARCHES.answer(airline.shop(messages.shopping_request(rq)), airline.spec)


def _price(airline: SimAirline, rq: etree._Element) -> etree._Element:
    quote, changed = airline.price(messages.fare_reference(rq, "PriceRequestInformation"))
    return messages.pricing_response("OTA_AirPriceRS", [quote], airline.spec, changed=changed)


def _book(airline: SimAirline, rq: etree._Element) -> etree._Element:
    booking, _created = airline.book(messages.booking_request(rq))
    return messages.reservation_response("OTA_AirBookRS", booking, airline.spec)


def _read(airline: SimAirline, rq: etree._Element) -> etree._Element:
    booking = airline.retrieve(messages.unique_id(rq, "UniqueID"))
    return messages.reservation_response("OTA_AirBookRS", booking, airline.spec)


def _ticket(airline: SimAirline, rq: etree._Element) -> etree._Element:
    booking = airline.ticket(messages.unique_id(rq, "DemandTicketDetail/BookingReferenceID"))
    return messages.reservation_response("OTA_AirDemandTicketRS", booking, airline.spec)


def _cancel(airline: SimAirline, rq: etree._Element) -> etree._Element:
    booking = airline.cancel(messages.unique_id(rq, "UniqueID"))
    return messages.reservation_response("OTA_CancelRS", booking, airline.spec)


def _network(airline: SimAirline, rq: etree._Element) -> etree._Element:
    return messages.network_response(airline.spec, airline.airports)


OPERATIONS: dict[str, Operation] = {
    "LowFareSearch": Operation(
        "OTA_AirLowFareSearchRQ", "OTA_AirLowFareSearchRS", "shopping", _search
    ),
    "Price": Operation("OTA_AirPriceRQ", "OTA_AirPriceRS", "pricing", _price),
    "Book": Operation("OTA_AirBookRQ", "OTA_AirBookRS", "bookings", _book),
    "Read": Operation("OTA_ReadRQ", "OTA_AirBookRS", "retrieve", _read),
    "DemandTicket": Operation("OTA_AirDemandTicketRQ", "OTA_AirDemandTicketRS", "ticket", _ticket),
    "Cancel": Operation("OTA_CancelRQ", "OTA_CancelRS", "cancel", _cancel),
    "SeatMap": Operation(
        "OTA_AirSeatMapRQ", "OTA_AirSeatMapRS", "seatmaps", seat_messages.seat_map
    ),
    "SelectSeats": Operation(
        "Skyfare_SelectSeatsRQ", "Skyfare_SelectSeatsRS", "choose_seats", seat_messages.select_seats
    ),
    "BookModify": Operation(
        "OTA_AirBookModifyRQ", "OTA_AirBookModifyRS", "change", change_messages.book_modify
    ),
    "RouteNetwork": Operation(
        "Skyfare_RouteNetworkRQ", "Skyfare_RouteNetworkRS", "network", _network
    ),
}
_BY_ELEMENT = {op.request: op for op in OPERATIONS.values()}


def _action(request: web.Request) -> str:
    return request.headers.get("SOAPAction", "").strip('"').removeprefix(ACTION_PREFIX)


def _behaviour(behaviour: Behaviour, slug: str) -> Middleware:
    """The sim's latency/error/hang behaviour for SOAP calls, per OTA operation.

    One URL serves every operation, so the route name cannot tell them apart: the SOAPAction
    names the operation (its count, and whether it only reads); the WSDL is left alone.
    """

    @web.middleware
    async def soap_behaviour(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST":
            return await handler(request)
        operation = OPERATIONS.get(_action(request))
        endpoint = None if operation is None else operation.endpoint
        return await behaviour.behave(slug, endpoint, request, handler)

    return soap_behaviour


def soap_airline_app(
    airline: SimAirline, behaviour: Behaviour, *, username: str, password: str
) -> web.Application:
    """The SOAP endpoint of `airline` (mount at its base path, e.g. `/soap/nordic`)."""
    package = resources.files("sim.soap")
    wsdl = (package / "nordic.wsdl").read_text(encoding="utf-8")
    xsd = (package / "ota.xsd").read_bytes()

    async def call(request: web.Request) -> web.Response:
        try:
            rq, header = envelope.read_body(await request.read())
            envelope.check_credentials(header, username=username, password=password)
            operation = OPERATIONS.get(_action(request)) or _BY_ELEMENT.get(
                etree.QName(rq).localname
            )
            if operation is None or rq.tag != messages.q(operation.request):
                raise envelope.SoapFault("soap:Client", "unknown SOAPAction or request element")
        except envelope.SoapFault as exc:
            return web.Response(body=envelope.fault(exc), status=500, content_type=_XML)
        try:
            rs = operation.run(airline, rq)
        except errors.AirlineError as exc:
            rs = messages.error_response(operation.response, exc)
        body = rs if isinstance(rs, bytes) else envelope.envelope(rs)
        return web.Response(body=body, content_type=_XML)

    async def get_wsdl(request: web.Request) -> web.Response:
        if request.path.endswith("/wsdl") or "wsdl" in request.query:
            # The service's own address, as the client reached it, for soap:address and the XSD.
            base = f"{request.url.origin()}{request.path.removesuffix('/wsdl')}"
            return web.Response(text=wsdl.replace("SERVICE_URL", base), content_type=_XML)
        raise web.HTTPNotFound(text="GET ?wsdl for the service description")

    async def get_xsd(request: web.Request) -> web.Response:
        return web.Response(body=xsd, content_type=_XML)

    app = web.Application(middlewares=[_behaviour(behaviour, airline.spec.slug)])
    app.router.add_post("", call)
    app.router.add_get("", get_wsdl)
    app.router.add_get("/wsdl", get_wsdl)
    app.router.add_get("/ota.xsd", get_xsd)
    return app
