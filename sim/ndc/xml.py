"""XML plumbing of the NDC front: the namespace, a safe parser, element builders and paths.

The sim is the airline, so it shares nothing with `connectors/ndc`: a mistake on either side of
the wire shows up as a failing integration test instead of being agreed to by both sides.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from sim import errors

NS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage"
CNS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersCommonTypes"
# A message's own children are in its namespace; everything below them in the common types'.
TOP = frozenset(
    {"AugmentationPoint", "DistributionChain", "Error", "PayloadAttributes", "Request", "Response"}
)
VERSION = "21.3"
CONTENT_TYPE = "application/xml"

# No entities, no network, no huge trees: a request body is untrusted input.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True
)


def parse(body: bytes) -> etree._Element:
    """The root of a request document; `bad_request` for anything that is not well-formed XML."""
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.bad_request(f"malformed XML: {exc}") from exc


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


@lru_cache(maxsize=256)
def path(steps: str) -> str:
    """`A/B` as the namespaced ElementPath: a message's own children in its namespace, the rest
    in the common types' (`Request/PaxList` is `{ns}Request/{cns}PaxList`)."""
    return "/".join(f"{{{NS if step in TOP else CNS}}}{step}" for step in steps.split("/"))


def text(element: etree._Element, steps: str) -> str | None:
    found = element.findtext(path(steps))
    return found.strip() if found is not None else None


def texts(element: etree._Element, steps: str) -> list[str]:
    return [(e.text or "").strip() for e in element.iterfind(path(steps))]


def document(tag: str) -> etree._Element:
    """A message root; its PayloadAttributes follow the Response (`payload`), as 21.3 orders."""
    # The default namespace is keyed None; lxml-stubs only allow str keys.
    return etree.Element(f"{{{NS}}}{tag}", nsmap={"ndc": NS, None: CNS})  # type: ignore[dict-item]


def payload(root: etree._Element) -> etree._Element:
    """Close an answer with its PayloadAttributes/VersionNumber."""
    add(add(root, "PayloadAttributes"), "VersionNumber", VERSION)
    return root


def add(
    parent: etree._Element, tag: str, value: str | None = None, **attrib: str
) -> etree._Element:
    namespace = NS if tag in TOP and parent.getparent() is None else CNS
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}", attrib)
    if value is not None:
        element.text = value
    return element


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
