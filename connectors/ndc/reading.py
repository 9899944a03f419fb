"""Reading NDC 21.3 answer documents (lxml, no I/O): the hardened parser, the `<Error>` an answer
carries in place of its Response as `connectors.errors`, and the small path and value helpers
every mapping of an answer uses (connectors/ndc/mapping.py, datalists.py, seats.py, seat_orders.py).

Anything missing or unreadable in an answer is the airline's fault: `Malformed` inside
`answer_of` becomes `ConnectorUnavailable`. Paths are written `Response/Order/OrderID`: a
message's own children are in the message namespace, everything below in the common types'
(as the schemas have it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from connectors import errors
from connectors.ndc.messages import CNS, NS

logger = logging.getLogger(__name__)

EXT = "urn:skyfare:ndc:extensions"  # what our sim adds in AugmentationPoint (seats left, price)
_TOP = frozenset({"AugmentationPoint", "Error", "PayloadAttributes", "Response"})
_REJECTIONS: dict[str, type[errors.SupplierRejected]] = {
    "OFFER_NOT_FOUND": errors.OfferNotFound,
    "OFFER_EXPIRED": errors.OfferExpired,
    "SOLD_OUT": errors.SoldOut,
    "ORDER_NOT_FOUND": errors.HoldNotFound,
    "ORDER_CANCELLED": errors.InvalidRequest,
    "INVALID_PAX": errors.InvalidRequest,
    "INVALID_CURRENCY": errors.InvalidRequest,
    "INVALID_REQUEST": errors.InvalidRequest,
    "SEAT_UNAVAILABLE": errors.SeatUnavailable,
    "NOT_CHANGEABLE": errors.NotChangeable,
    "CHANGE_NOT_FOUND": errors.ChangeNotFound,
}
# No entities, no DTD fetching, no huge trees: an answer is untrusted input (defusedxml rules).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Malformed(ValueError):
    """An answer that is well-formed XML but not the document we expect."""


def tag(step: str) -> str:
    return f"{{{NS if step in _TOP else CNS}}}{step}"


@lru_cache(maxsize=256)
def path(steps: str) -> str:
    return "/".join(tag(step) for step in steps.split("/"))


@lru_cache(maxsize=256)
def tags(steps: str) -> tuple[str, ...]:
    return tuple(tag(step) for step in steps.split("/"))


def find(element: etree._Element, steps: str) -> etree._Element | None:
    """The first element at `steps`, walking children by hand: cheaper than an ElementPath
    `find` for the short paths of an answer (bench/ndc_cost.py: 2.6 → 2.0 ms for 50 offers)."""
    for wanted in tags(steps):
        for node in element:
            if node.tag == wanted:
                element = node
                break
        else:
            return None
    return element


def text(element: etree._Element, steps: str) -> str:
    found = find(element, steps)
    if found is None:
        raise Malformed(f"{steps} missing in {etree.QName(element).localname}")
    return (found.text or "").strip()


def every(element: etree._Element, steps: str) -> Iterator[etree._Element]:
    return element.iterfind(path(steps))


@contextlib.contextmanager
def answer_of(airline: str) -> Iterator[None]:
    """Unreadable content (missing element, bad number or date) → ConnectorUnavailable."""
    try:
        yield
    except (Malformed, ValueError, ArithmeticError, KeyError) as exc:
        raise errors.ConnectorUnavailable(f"{airline}: malformed NDC answer: {exc}") from exc


def parse(payload: bytes, *, airline: str) -> etree._Element:
    try:
        return etree.fromstring(payload, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.ConnectorUnavailable(f"{airline}: unparseable XML answer: {exc}") from exc


def raise_for_errors(root: etree._Element, *, airline: str) -> None:
    """Raise the domain error of the first `<Error>`; nothing when there is none.

    The airline's code and text are logged, and kept in the error's message."""
    error = root.find(path("Error"))
    if error is None:
        return
    with answer_of(airline):
        code = (error.findtext(path("Code")) or error.findtext(path("TypeCode")) or "").strip()
        desc = (error.findtext(path("DescText")) or "").strip()
        message = f"{airline}: {code} ({desc})"
        logger.info("ndc airline %s answered error %s: %s", airline, code, desc)
        if code == "PRICE_CHANGED":
            amount = root.find(f"{path('AugmentationPoint')}/{{{EXT}}}NewTotalAmount")
            if amount is None:
                raise Malformed("PRICE_CHANGED without its new total")
            new_amount, currency = Decimal(amount.text or ""), amount.get("CurCode", "")
            raise errors.PriceChanged(message, new_amount=new_amount, currency=currency)
    if code == "SEAT_RESTRICTED":  # DescText "<seat>: <rule>", as the REST airline words it
        raise errors.SeatRestricted(message, rule=desc.rpartition(": ")[2])
    if code == "UNAUTHORIZED":  # our configuration, not the traveler's request
        raise errors.ConnectorUnavailable(message)
    raise _REJECTIONS.get(code, errors.InvalidRequest)(message)


def texts(element: etree._Element, steps: str) -> list[str]:
    return [(e.text or "").strip() for e in every(element, steps)]


def local(value: str) -> dt.datetime:
    """Airport-local schedule time; an offset, if an airline sends one, is dropped as printed."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=None)


def utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:  # NDC timestamps without offset are UTC
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def money(element: etree._Element) -> tuple[Decimal, str]:
    return Decimal((element.text or "").strip()), element.get("CurCode", "")


def children(element: etree._Element) -> dict[str, etree._Element]:
    """Children by (namespaced) tag, the first of each: one pass instead of a lookup per field,
    which is most of the cost of mapping 50 offers (bench/ndc_cost.py)."""
    found: dict[str, etree._Element] = {}
    for element_child in element:
        found.setdefault(element_child.tag, element_child)
    return found


def child(kids: dict[str, etree._Element], name: str) -> etree._Element:
    found = kids.get(tags(name)[0])
    if found is None:
        raise Malformed(f"{name} missing")
    return found


def child_text(kids: dict[str, etree._Element], name: str) -> str:
    return (child(kids, name).text or "").strip()
