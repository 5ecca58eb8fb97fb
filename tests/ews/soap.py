"""SOAP 1.1 envelopes in the EWS shapes: namespaces, element builders, response messages and faults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lxml import etree

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
ERRORS = "http://schemas.microsoft.com/exchange/services/2006/errors"
NSMAP = {"s": SOAP, "m": M, "t": T}

# What Exchange 2016 CU-something answers; "V2017_07_11" is the schema version string Exchange 2016
# sends, which exchangelib recognises as a server-side alias and replaces with the requested version.
SERVER_VERSION = {
    "MajorVersion": "15",
    "MinorVersion": "1",
    "MajorBuildNumber": "2507",
    "MinorBuildNumber": "6",
    "Version": "V2017_07_11",
}


def m(tag: str, text: object = None, **attrs: object) -> etree._Element:
    return _element(M, tag, text, attrs)


def t(tag: str, text: object = None, **attrs: object) -> etree._Element:
    return _element(T, tag, text, attrs)


def _element(ns: str, tag: str, text: object, attrs: dict[str, object]) -> etree._Element:
    element = etree.Element(f"{{{ns}}}{tag}", nsmap=None)
    for name, value in attrs.items():
        if value is not None:
            element.set(name, xml_value(value))
    if text is not None:
        element.text = xml_value(text)
    return element


def xml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    return str(value)


def now() -> dt.datetime:
    """The current time as Exchange keeps it: UTC, whole seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def format_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def children(parent: etree._Element, items: Iterable[etree._Element | None]) -> etree._Element:
    for item in items:
        if item is not None:
            parent.append(item)
    return parent


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def envelope(body_child: etree._Element, *, header: bool = True) -> etree._Element:
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap=NSMAP)
    if header:
        head = etree.SubElement(root, f"{{{SOAP}}}Header")
        head.append(t("ServerVersionInfo", **SERVER_VERSION))
    body = etree.SubElement(root, f"{{{SOAP}}}Body")
    body.append(body_child)
    return root


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def response_message(
    operation: str,
    code: str = "NoError",
    text: str | None = None,
    *,
    response_class: str | None = None,
    message_xml: etree._Element | None = None,
) -> etree._Element:
    """A ``<m:{operation}ResponseMessage>`` with its status; the caller appends the payload."""
    if response_class is None:
        response_class = "Success" if code == "NoError" else "Error"
    message = m(f"{operation}ResponseMessage", ResponseClass=response_class)
    if code != "NoError":
        message.append(m("MessageText", text or code))
    message.append(m("ResponseCode", code))
    if code != "NoError":
        message.append(m("DescriptiveLinkKey", 0))
        if message_xml is not None:
            holder = m("MessageXml")
            holder.append(message_xml)
            message.append(holder)
    return message


def response(operation: str, messages: Iterable[etree._Element]) -> etree._Element:
    """``<m:{operation}Response><m:ResponseMessages>…`` around the given response messages."""
    wrapper = m(f"{operation}Response")
    container = etree.SubElement(wrapper, f"{{{M}}}ResponseMessages")
    for message in messages:
        container.append(message)
    return wrapper


def fault(code: str, text: str, *, back_off_ms: int | None = None) -> etree._Element:
    """A SOAP fault the way Exchange sends batch-level errors (HTTP 500): the EWS code in ``detail``."""
    node = etree.Element(f"{{{SOAP}}}Fault")
    # The code is a QName in the types namespace; the envelope declares that namespace as "t" (a
    # declaration on faultcode itself would be dropped by lxml, which sees no element using it).
    faultcode = etree.SubElement(node, "faultcode")
    faultcode.text = f"t:{code}"
    faultstring = etree.SubElement(node, "faultstring")
    faultstring.set("{http://www.w3.org/XML/1998/namespace}lang", "en-US")
    faultstring.text = text
    detail = etree.SubElement(node, "detail")
    etree.SubElement(detail, f"{{{ERRORS}}}ResponseCode", nsmap={"e": ERRORS}).text = code
    etree.SubElement(detail, f"{{{ERRORS}}}Message", nsmap={"e": ERRORS}).text = text
    if back_off_ms is not None:
        message_xml = etree.SubElement(detail, f"{{{T}}}MessageXml")
        etree.SubElement(message_xml, f"{{{T}}}Value", Name="BackOffMilliseconds").text = str(back_off_ms)
    return node


FAULT_TEXTS = {
    "ErrorServerBusy": "The server cannot service this request right now. Try again later.",
    "ErrorImpersonateUserDenied": "The account does not have permission to impersonate the requested user.",
    "ErrorNonExistentMailbox": "The SMTP address has no mailbox associated with it.",
    "ErrorInvalidRequest": "The request is invalid.",
    "ErrorSchemaValidation": "The request failed schema validation.",
    "ErrorInvalidSyncStateData": "Synchronization state data is corrupt or otherwise invalid.",
    "ErrorIrresolvableConflict": "The send or update operation could not be performed because the change key "
    "passed in the request does not match the current change key for the item.",
    "ErrorItemNotFound": "The specified object was not found in the store.",
    "ErrorCorruptData": "The item's data is corrupt.",
    "ErrorFolderNotFound": "The specified folder could not be found in the store.",
    "ErrorAccessDenied": "Access is denied. Check credentials and try again.",
    "ErrorInvalidIdMalformed": "Id is malformed.",
    "ErrorInvalidChangeKey": "The change key is invalid.",
    "ErrorSubscriptionNotFound": "The specified subscription was not found.",
}


def fault_text(code: str) -> str:
    return FAULT_TEXTS.get(code, code)
