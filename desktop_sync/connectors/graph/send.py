"""Sending as one Exchange Online mailbox through Microsoft Graph: our MIME, base64 in ``sendMail``.

Exchange keeps our Message-ID and saves the copy in Sent Items itself, where ``find_sent`` looks for
it by ``internetMessageId`` — what the outgoing journal asks before any retry of a mail whose fate is
unknown, so a crash between sending and recording never sends twice. Recipients the headers do not
name (Bcc) are told in a ``Bcc`` header, which Exchange delivers to and strips from what others get.
A request that broke after the connection was made may have been taken: ``DeliveryUnknown``.
"""

from __future__ import annotations

import base64
import email.policy
from collections.abc import Sequence
from email.parser import BytesParser
from email.utils import getaddresses

from desktop_sync.connectors.graph.answers import error_code
from desktop_sync.connectors.graph.client import GraphClient, connected_before_failing
from desktop_sync.connectors.graph.probe import run_test
from desktop_sync.domain.errors import DeliveryUnknown, DesktopSyncError
from desktop_sync.domain.ports.connectors import ConnectionTest, OutgoingMessage, SendOutcome, SendResult

_REFUSED = (400, 413)  # the mail as it is will never go: invalid MIME or recipients, too large
_NOT_TAKEN = frozenset({"connection_dropped", "timeout"})  # may have reached the server


def with_bcc(raw: bytes, recipients: Sequence[str]) -> bytes:
    """``raw`` with a Bcc header naming the recipients its To and Cc do not name (none: ``raw`` as it is)."""
    headers = BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)
    named = {
        a.lower()
        for _, a in getaddresses(headers.get_all("To", []) + headers.get_all("Cc", []) + headers.get_all("Bcc", []))
    }
    hidden: dict[str, str] = {}  # by lower-cased address: each recipient once
    for address in recipients:
        if address.lower() not in named:
            hidden.setdefault(address.lower(), address)
    if not hidden:
        return raw
    return f"Bcc: {', '.join(hidden.values())}\r\n".encode() + raw


def quoted(value: str) -> str:
    """A string literal of an OData ``$filter``."""
    return "'" + value.replace("'", "''") + "'"


class GraphOutgoing:
    def __init__(self, client: GraphClient) -> None:
        self.client = client

    async def send(self, message: OutgoingMessage) -> SendResult:
        body = base64.b64encode(with_bcc(message.raw, message.recipients))
        try:
            answer = await self.client.request(
                "POST", "sendMail", data=body, content_type="text/plain", repeatable=False, accept=_REFUSED
            )
        except DesktopSyncError as problem:
            if problem.code in _NOT_TAKEN and connected_before_failing(problem):
                raise DeliveryUnknown(
                    f"{message.message_id}: the connection to {self.client.server} failed after the mail was "
                    f"handed over ({problem.message})"
                ) from problem
            raise
        if answer.status in _REFUSED:
            code, said = error_code(answer.body)
            return SendResult(SendOutcome.REJECTED, f"{answer.status} {code}: {said}".strip())
        return SendResult(SendOutcome.ACCEPTED, "sent with sendMail (MIME)", copied_to_sent=True)

    async def copy_to_sent(self, message: OutgoingMessage) -> bool:
        """Exchange saved it in Sent Items already."""
        return True

    async def find_sent(self, message_id: str) -> bool | None:
        where = f"internetMessageId eq {quoted(message_id.strip())}"
        found = await self.client.get("mailFolders/sentitems/messages", {"$filter": where, "$select": "id"})
        values = found.get("value") if isinstance(found, dict) else None
        return bool(values) if isinstance(values, list) else None

    async def test(self) -> ConnectionTest:
        return await run_test(self.client, access="sentitems", list_folders=False)

    async def close(self) -> None:
        await self.client.close()
