"""The NDC front of a simulated airline: IATA NDC 21.3 XML over HTTP POST.

One POST endpoint per message under the airline's base path (`/ndc/<slug>`):

| path              | request                | answer                 | stats name |
|-------------------|------------------------|------------------------|------------|
| `/AirShopping`    | IATA_AirShoppingRQ     | IATA_AirShoppingRS     | shopping   |
| `/OfferPrice`     | IATA_OfferPriceRQ      | IATA_OfferPriceRS      | pricing    |
| `/OrderCreate`    | IATA_OrderCreateRQ     | IATA_OrderViewRS       | bookings   |
| `/OrderRetrieve`  | IATA_OrderRetrieveRQ   | IATA_OrderViewRS       | retrieve   |
| `/OrderChange`    | IATA_OrderChangeRQ     | IATA_OrderViewRS       | ticket     |
| `/OrderReshop`    | IATA_OrderReshopRQ     | IATA_OrderReshopRS     | cancel     |
| `/SeatAvailability` | IATA_SeatAvailabilityRQ | IATA_SeatAvailabilityRS | seatmaps |
| `GET /network`    | —                      | Skyfare_RouteNetworkRS | network    |

OrderChange pays (and so tickets) an order, accepts the cancellation offer OrderReshop quoted
(21.3 cancels in those two steps), accepts seats of SeatAvailability's a-la-carte offer
(sim/ndc/seat_orders.py), or accepts a change offer OrderReshop quoted for one journey, or undoes
that change (sim/ndc/change_messages.py); every OrderViewRS shows the seats the order holds.
Business refusals are the answer with `<Error><Code>` in place of its Response, HTTP 200, as NDC
hubs do; a request that is not well-formed, not valid against its NDC 21.3 schema (when the
front has the schemas) or misses a field is the same document with HTTP 400, its DescText
naming the element.
With an `api_key` the front wants `Authorization: Bearer <key>` on every call and answers 401
otherwise; it reads the header as RFC 9110 §11.4 writes it, and as Skyfare's API reads its own
(skyfare/auth/bearer.py): one such header, the scheme in any case, one or more spaces (never a
tab) before the key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from aiohttp import web
from aiohttp.typedefs import Handler
from lxml import etree

from sim import errors
from sim.airline import Quote, SimAirline
from sim.answer_templates import AnswerTemplates
from sim.bearer import holds_key
from sim.catalog import AirlineSpec
from sim.control import Behaviour
from sim.ndc import change_messages, requests, responses, seat_messages, seat_orders, xml
from sim.ndc.schemas import Schemas

AIRLINE: web.AppKey[SimAirline] = web.AppKey("sim_ndc_airline", SimAirline)
API_KEY: web.AppKey[str] = web.AppKey("sim_ndc_api_key", str)
SCHEMAS: web.AppKey[Schemas | None] = web.AppKey("sim_ndc_schemas")


class Operation(NamedTuple):
    path: str
    request: str  # the root element the body must be
    response: str
    endpoint: str  # its name in the sim's stats (control.ENDPOINTS)
    # The answer: a tree, or (a shopping answer from its template) the document's bytes.
    run: Callable[[SimAirline, etree._Element], etree._Element | bytes]


def _shopping_body(quotes: Sequence[Quote], seller: AirlineSpec) -> bytes:
    return xml.serialize(responses.shopping_response(quotes, seller))


def _shopping_variables(quote: Quote) -> tuple[str, str, str]:
    expires = responses.utc(quote.key.expires_at)
    return quote.fare_id, responses.offer_item_id(quote.fare_id), expires


_SHOPPING = AnswerTemplates(_shopping_body, _shopping_variables)


def _shop(airline: SimAirline, rq: etree._Element) -> bytes:
    return _SHOPPING.answer(airline.shop(requests.shopping_request(rq)), airline.spec)


def _price(airline: SimAirline, rq: etree._Element) -> etree._Element:
    quote, changed = airline.price(requests.priced_offer_ref(rq))
    return responses.offer_price_response(quote, airline.spec, changed=changed)


def _create(airline: SimAirline, rq: etree._Element) -> etree._Element:
    booking, _created = airline.book(requests.booking_request(rq))
    return seat_orders.order_view(airline, booking)


def _retrieve(airline: SimAirline, rq: etree._Element) -> etree._Element:
    kind, key = requests.retrieve_key(rq)
    booking = airline.order(key) if kind == "locator" else airline.retrieve(key)
    return seat_orders.order_view(airline, booking)


def _change(airline: SimAirline, rq: etree._Element) -> etree._Element:
    """OrderChangeRQ: pay (and so ticket) the order, accept its cancellation offer, seats or a
    change offer, or undo a change."""
    locator = requests.order_id(rq)
    cancellation = requests.accepted_cancellation(rq)
    if cancellation is not None:
        if cancellation != responses.CANCEL_OFFER_PREFIX + locator:
            raise errors.AirlineError(404, "fare_not_found", "not a cancellation offer we made")
        return responses.order_response(airline.cancel(locator), airline.spec)
    if seat_orders.wants_seats(rq):
        return seat_orders.assign_seats(airline, rq)
    change = change_messages.accepted_change(rq)
    if change is not None:
        return change_messages.change(airline, rq, change)
    undone = change_messages.undo_reference(rq)
    if undone is not None:
        return change_messages.undo(airline, rq, undone)
    if not requests.wants_tickets(rq):
        raise errors.bad_request(
            "OrderChangeRQ: only PaymentFunctions (ticketing), AcceptCancelledOffer, seats, "
            "a change offer, or undoing a change"
        )
    return seat_orders.order_view(airline, airline.ticket(locator))


def _reshop(airline: SimAirline, rq: etree._Element) -> etree._Element:
    """OrderReshopRQ: a journey flown another way (change offers), or the cancellation quote."""
    if change_messages.wants_reshop(rq):
        return change_messages.reshop(airline, rq)
    booking = airline.order(requests.reshop_cancel_order(rq))
    return responses.cancel_quote_response(booking, airline.spec)


OPERATIONS = (
    Operation("AirShopping", "IATA_AirShoppingRQ", "IATA_AirShoppingRS", "shopping", _shop),
    Operation("OfferPrice", "IATA_OfferPriceRQ", "IATA_OfferPriceRS", "pricing", _price),
    Operation("OrderCreate", "IATA_OrderCreateRQ", "IATA_OrderViewRS", "bookings", _create),
    Operation("OrderRetrieve", "IATA_OrderRetrieveRQ", "IATA_OrderViewRS", "retrieve", _retrieve),
    Operation("OrderChange", "IATA_OrderChangeRQ", "IATA_OrderViewRS", "ticket", _change),
    Operation("OrderReshop", "IATA_OrderReshopRQ", "IATA_OrderReshopRS", "cancel", _reshop),
    Operation(
        "SeatAvailability",
        "IATA_SeatAvailabilityRQ",
        "IATA_SeatAvailabilityRS",
        "seatmaps",
        seat_messages.seat_availability,
    ),
)


def ndc_airline_app(
    airline: SimAirline,
    behaviour: Behaviour,
    *,
    api_key: str = "",
    schemas: Schemas | None = None,
) -> web.Application:
    """The NDC endpoints of `airline`, behaving as its profile says (mount at `/ndc/<slug>`).

    With `schemas` every request is checked against its NDC 21.3 schema first.
    """
    app = web.Application(middlewares=[behaviour.middleware(airline.spec.slug), _authorize])
    app[AIRLINE] = airline
    app[API_KEY] = api_key
    app[SCHEMAS] = schemas
    app.router.add_get("/network", network, name="network")
    for operation in OPERATIONS:
        app.router.add_post(f"/{operation.path}", _endpoint(operation), name=operation.endpoint)
    return app


def _xml_response(root: etree._Element | bytes, status: int = 200) -> web.Response:
    body = root if isinstance(root, bytes) else xml.serialize(root)
    return web.Response(body=body, status=status, content_type=xml.CONTENT_TYPE, charset="utf-8")


@web.middleware
async def _authorize(request: web.Request, handler: Handler) -> web.StreamResponse:
    expected = request.app[API_KEY]
    if expected and not holds_key(request.headers, expected):
        error = errors.AirlineError(401, "unauthorized", "missing or wrong API key")
        root = responses.error_response(_answer_of(request), error)
        return _xml_response(root, 401)
    return await handler(request)


def _answer_of(request: web.Request) -> str:
    """The answer message of the operation `request` is for (AirShoppingRS for anything else)."""
    name = request.path.rsplit("/", 1)[-1]
    for operation in OPERATIONS:
        if operation.path == name:
            return operation.response
    return "IATA_AirShoppingRS"


async def network(request: web.Request) -> web.Response:
    airline = request.app[AIRLINE]
    return _xml_response(responses.network_response(airline.spec, airline.airports))


def _endpoint(operation: Operation) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            rq = xml.parse(await request.read())
            if xml.local_name(rq) != operation.request:
                raise errors.bad_request(f"expected {operation.request}, got {rq.tag}")
            schemas = request.app[SCHEMAS]
            found = [] if schemas is None else schemas.problems(rq)
            if found:
                raise errors.bad_request(f"{operation.request} is not NDC 21.3: {found[0]}")
            return _xml_response(operation.run(request.app[AIRLINE], rq))
        except errors.AirlineError as exc:
            status = 400 if exc.status == 400 else 200
            return _xml_response(responses.error_response(operation.response, exc), status)

    return handle
