"""SOAP 1.1 envelopes for the sim's SOAP airline: reading requests, checking WS-Security, faults.

Kept apart from the OTA messages so that the envelope rules (one body element, a UsernameToken
in the header, faults for what is not the airline's business) live in one place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class SoapFault(Exception):
    """Answered as a SOAP 1.1 Fault (HTTP 500): the envelope, not the booking, is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_body(payload: bytes) -> tuple[etree._Element, etree._Element | None]:
    """The envelope's single body element and its header (None without one)."""
    try:
        root = etree.fromstring(payload, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("soap:Client", f"not XML: {exc}") from exc
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("soap:VersionMismatch", "expected a SOAP 1.1 Envelope")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapFault("soap:Client", "the Body must hold exactly one request element")
    return children[0], root.find(f"{{{SOAP_ENV}}}Header")


def check_credentials(header: etree._Element | None, *, username: str, password: str) -> None:
    """Raise a `wsse:FailedAuthentication` fault unless the UsernameToken matches."""
    token = None if header is None else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        raise SoapFault("wsse:FailedAuthentication", "a WS-Security UsernameToken is required")
    given_user = token.findtext(f"{{{WSSE}}}Username") or ""
    node = token.find(f"{{{WSSE}}}Password")
    given = "" if node is None else (node.text or "")
    if node is not None and node.get("Type") == PASSWORD_DIGEST:
        nonce = base64.b64decode(token.findtext(f"{{{WSSE}}}Nonce") or "")
        created = (token.findtext(f"{{{WSU}}}Created") or "").encode()
        expected = base64.b64encode(
            hashlib.sha1(nonce + created + password.encode()).digest()
        ).decode()
    else:
        expected = password
    user_ok = hmac.compare_digest(given_user.encode(), username.encode())
    if not (hmac.compare_digest(given.encode(), expected.encode()) and user_ok):
        raise SoapFault(
            "wsse:FailedAuthentication", "the security token could not be authenticated"
        )


def envelope(body: etree._Element) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(body)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def fault(exc: SoapFault) -> bytes:
    node = etree.Element(f"{{{SOAP_ENV}}}Fault", nsmap={"soap": SOAP_ENV, "wsse": WSSE})
    etree.SubElement(node, "faultcode").text = exc.code
    etree.SubElement(node, "faultstring").text = exc.message
    return envelope(node)
