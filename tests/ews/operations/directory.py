"""The directory operations: ConvertId and ResolveNames."""

from __future__ import annotations

from lxml import etree

from .. import soap
from ..ids import decode_id
from ..mime import mailbox_element
from ..soap import M, T, m
from .request import Context, EwsError, each, error_message, id_children, q


def convert_id(ctx: Context, op: etree._Element) -> etree._Element:
    destination = op.get("DestinationFormat") or "EwsId"

    def build(element: etree._Element) -> etree._Element:
        ident = element.get("Id") or ""
        if decode_id(ident, "item") is None and decode_id(ident, "folder") is None:
            raise EwsError("ErrorInvalidIdMalformed")
        message = soap.response_message("ConvertId")
        alternate = m(
            "AlternateId", Format=destination, Id=ident, Mailbox=element.get("Mailbox") or ctx.mailbox.address
        )
        alternate.set("{http://www.w3.org/2001/XMLSchema-instance}type", "t:AlternateIdType")
        message.append(alternate)
        return message

    return each("ConvertId", id_children(op, "SourceIds"), build)


def resolve_names(ctx: Context, op: etree._Element) -> etree._Element:
    wanted = (op.findtext(q(M, "UnresolvedEntry")) or "").strip().lower().removeprefix("smtp:")
    found = [
        mailbox
        for mailbox in ctx.store.mailboxes.values()
        if wanted and (mailbox.address.lower().startswith(wanted) or mailbox.display_name.lower().startswith(wanted))
    ]
    if not found:
        error = EwsError("ErrorNameResolutionNoResults", "No results were found.")
        return soap.response("ResolveNames", [error_message("ResolveNames", error)])
    code = "NoError" if len(found) == 1 else "ErrorNameResolutionMultipleResults"
    message = soap.response_message(
        "ResolveNames",
        code,
        "Multiple results were found.",
        response_class="Success" if code == "NoError" else "Warning",
    )
    resolution_set = etree.SubElement(
        message, q(M, "ResolutionSet"), TotalItemsInView=str(len(found)), IncludesLastItemInRange="true"
    )
    for mailbox in found:
        resolution = etree.SubElement(resolution_set, q(T, "Resolution"))
        resolution.append(mailbox_element(mailbox.display_name, mailbox.address))
    return soap.response("ResolveNames", [message])
