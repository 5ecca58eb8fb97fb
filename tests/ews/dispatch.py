"""The EWS side of the test server's request handler: authenticate, apply injected faults, pick the acting
mailbox (impersonation), run the operation under the store lock, check the answer against the schemas,
and keep GetStreamingEvents responses open, writing events as they happen.
"""

from __future__ import annotations

import select
import ssl
import time

from lxml import etree

from . import operations, soap
from .auth import Principal
from .faults import DROP, HTTP_401, HTTP_503, SLOW, RequestRecord
from .soap import SOAP, M, T
from .store import Mailbox


class Drop(Exception):
    """Close the connection without answering."""


class EwsDispatch:
    """Mixed into the HTTP request handler (``handler.py``): the EWS requests and their answers."""

    def _ews(self, body: bytes) -> None:
        principal = self._authenticate()
        if principal is None:
            return
        try:
            request = etree.fromstring(body, etree.XMLParser(resolve_entities=False, huge_tree=True))
            soap_body = request.find(f"{{{SOAP}}}Body")
            op = next(child for child in soap_body if isinstance(child.tag, str))
        except (etree.XMLSyntaxError, StopIteration, TypeError):
            self._answer("(invalid)", soap.fault("ErrorInvalidRequest", "The request is not a SOAP envelope."), 500)
            return
        operation = etree.QName(op).localname
        header = request.find(f"{{{SOAP}}}Header")
        target = self._impersonated(header)
        mailbox_address = target or (principal.mailbox.address if principal.mailbox else None)
        record = {"operation": operation, "mailbox": mailbox_address, "user": principal.name}
        properties = op.find(f"{{{M}}}ItemShape/{{{T}}}AdditionalProperties")
        if properties is not None:
            paths = tuple(_describe_path(path) for path in properties if isinstance(path.tag, str))
            self.ews.stats.record_shape(operation, paths)

        fault = self.ews.faults.take(operation, mailbox_address)
        if fault is not None:
            if fault.kind == DROP:
                self.ews.stats.record(RequestRecord(**record, status=0, connection=self.connection_number))
                raise Drop
            if fault.kind == SLOW:
                self.ews._stopping.wait(fault.seconds)
            elif fault.kind == HTTP_401:
                self.ews.stats.record(RequestRecord(**record, status=401, connection=self.connection_number))
                self.ntlm_principal = None
                self._challenge()
                return
            elif fault.kind == HTTP_503:
                self.ews.stats.record(RequestRecord(**record, status=503, connection=self.connection_number))
                retry = [("Retry-After", str(max(1, round(fault.back_off_ms / 1000))))] if fault.back_off_ms else []
                self._send(503, b"Service Unavailable", content_type="text/plain", headers=retry)
                return
            elif fault.as_soap_fault:
                element = soap.fault(fault.kind, soap.fault_text(fault.kind), back_off_ms=fault.back_off_ms)
                self._answer(operation, element, 500, record)
                return
            else:
                self._answer(operation, operations.forced_error_response(operation, fault.kind), 200, record)
                return

        with self.ews.store.lock:
            try:
                mailbox = self._acting_mailbox(principal, target)
                ctx = operations.Context(self.ews.store, mailbox, principal.name)
                if operation == "GetStreamingEvents":
                    self._stream(ctx, op, record)
                    return
                handler = operations.HANDLERS.get(operation)
                if handler is None:
                    raise operations.unsupported(f"the {operation} operation")
                element, status = handler(ctx, op), 200
            except operations.SoapFault as exc:
                element, status = soap.fault(exc.code, exc.text, back_off_ms=exc.back_off_ms), 500
            document = soap.serialize(soap.envelope(element, header=status == 200))
        self._answer_document(operation, document, status, record)

    def _acting_mailbox(self, principal: Principal, target: str | None) -> Mailbox:
        """The mailbox a request acts on: the impersonated one (if the principal may), else its own."""
        if target is not None:
            if not principal.impersonation_right:
                raise operations.SoapFault("ErrorImpersonateUserDenied")
            mailbox = self.ews.store.mailboxes.get(target.lower())
            if mailbox is None:
                raise operations.SoapFault("ErrorNonExistentMailbox")
            return mailbox
        if principal.mailbox is None:
            raise operations.SoapFault(
                "ErrorInvalidExchangeImpersonationHeaderData",
                "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
            )
        return principal.mailbox

    def _impersonated(self, header: etree._Element | None) -> str | None:
        if header is None:
            return None
        node = header.find(f"{{{T}}}ExchangeImpersonation")
        if node is None:
            return None
        for tag in ("PrimarySmtpAddress", "SmtpAddress", "PrincipalName"):
            value = node.findtext(f"{{{T}}}ConnectingSID/{{{T}}}{tag}")
            if value:
                return value.strip()
        return ""

    def _answer(self, operation: str, element: etree._Element, status: int, record: dict | None = None) -> None:
        document = soap.serialize(soap.envelope(element, header=status == 200))
        self._answer_document(operation, document, status, record)

    def _answer_document(self, operation: str, document: bytes, status: int, record: dict | None) -> None:
        if not self.ews._check(operation, document):
            element = soap.fault(
                "ErrorInternalServerError",
                f"EWS test server: invalid {operation} response (see server.invalid_responses)",
            )
            document, status = soap.serialize(soap.envelope(element, header=False)), 500
        if record is not None:
            self.ews.stats.record(RequestRecord(**record, status=status, connection=self.connection_number))
        self._send(status, document)

    # --- streaming notifications

    def _stream(self, ctx: operations.Context, op: etree._Element, record: dict) -> None:
        """GetStreamingEvents: keep the response open and write one envelope per batch of events."""
        store = self.ews.store
        ids = [(e.text or "").strip() for e in op.iter(f"{{{T}}}SubscriptionId")]
        subscriptions = [store.subscriptions.get(i) for i in ids]
        if not ids or any(s is None or s.mailbox is not ctx.mailbox or not s.streaming for s in subscriptions):
            bad = [i for i, s in zip(ids, subscriptions, strict=True) if s is None or s.mailbox is not ctx.mailbox]
            message = soap.response_message("GetStreamingEvents", "ErrorSubscriptionNotFound")
            if bad:
                holder = etree.SubElement(message, f"{{{M}}}ErrorSubscriptionIds")
                for ident in bad:
                    etree.SubElement(holder, f"{{{T}}}SubscriptionId").text = ident
            document = soap.serialize(soap.envelope(soap.response("GetStreamingEvents", [message])))
            store.lock.release()
            try:
                self._answer_document("GetStreamingEvents", document, 200, record)
            finally:
                store.lock.acquire()
            return
        minutes = int(op.findtext(f"{{{M}}}ConnectionTimeout") or 30)
        deadline = time.monotonic() + minutes * self.ews.minute_seconds
        self.ews.stats.record(RequestRecord(**record, status=200, connection=self.connection_number))
        store.lock.release()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
        finally:
            store.lock.acquire()
        last_write = time.monotonic()
        status = "OK"
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ews._stopping.is_set():
                    status = "Closed"
                batches = []
                for subscription in subscriptions:
                    if subscription.events:
                        batches.append((subscription.id, subscription.events))
                        subscription.events = []
                due = time.monotonic() - last_write >= self.ews.heartbeat_seconds
                if batches or due or status == "Closed":
                    self._write_chunk(self._stream_envelope(batches, status))
                    last_write = time.monotonic()
                if status == "Closed":
                    break
                if self._client_hung_up():
                    self.close_connection = True  # as Exchange does: the client's FIN ends the stream at once
                    return
                wait = min(remaining, self.ews.heartbeat_seconds - (time.monotonic() - last_write), 0.1)
                store.changed.wait(max(wait, 0.01))
            self._write_raw(b"0\r\n\r\n")
        except (ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True

    def _client_hung_up(self) -> bool:
        """Whether the client closed its end of a stream (it sends nothing while it reads one)."""
        connection = self.request
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            return False
        connection.settimeout(0.05)
        try:
            return connection.recv(1) == b""
        except (TimeoutError, ssl.SSLWantReadError):
            return False
        except (ConnectionError, ssl.SSLError, OSError):
            return True
        finally:
            connection.settimeout(None)

    def _stream_envelope(self, batches: list[tuple[str, list]], status: str) -> bytes:
        message = soap.response_message("GetStreamingEvents")
        if batches:
            notifications = etree.SubElement(message, f"{{{M}}}Notifications")
            for subscription_id, events in batches:
                notifications.append(operations.notification_element(subscription_id, events))
        message.append(soap.m("ConnectionStatus", status))
        document = soap.serialize(soap.envelope(soap.response("GetStreamingEvents", [message])))
        if not self.ews._check("GetStreamingEvents", document):
            raise ConnectionError("invalid streaming response")
        return document

    def _write_chunk(self, data: bytes) -> None:
        self._write_raw(f"{len(data):X}\r\n".encode() + data + b"\r\n")

    def _write_raw(self, data: bytes) -> None:
        # Written with the store lock released, so one slow client cannot stall the server.
        lock = self.ews.store.lock
        lock.release()
        try:
            self.wfile.write(data)
            self.wfile.flush()
        finally:
            lock.acquire()


def _describe_path(path: etree._Element) -> str:
    """A property path as the tests name it: "item:Subject", "contacts:EmailAddress[EmailAddress1]", or
    "extended:NAME" for an extended property."""
    if etree.QName(path).localname == "ExtendedFieldURI":
        return f"extended:{path.get('PropertyName') or path.get('PropertyTag') or path.get('PropertyId')}"
    index = path.get("FieldIndex")
    return f"{path.get('FieldURI')}[{index}]" if index else str(path.get("FieldURI"))
