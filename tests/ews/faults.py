"""Faults a test can make the EWS test server answer with, and the counters it keeps.

``server.faults.next("GetFolder", "ErrorServerBusy", back_off_ms=500)`` makes the next GetFolder
answer with that fault. The kind is an EWS response code, or one of the transport-level kinds below.
Codes Exchange sends for a whole request (server busy, impersonation denied, unknown mailbox...) come
as a SOAP fault with HTTP 500; any other code comes as an error response message. Everything here
is thread-safe: the server's handler threads read what the test thread writes.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

# Transport-level kinds (not EWS codes).
HTTP_401 = "http401"
HTTP_503 = "http503"
DROP = "drop"  # close the connection without answering
SLOW = "slow"  # sleep ``seconds``, then answer normally

TRANSPORT_KINDS = frozenset({HTTP_401, HTTP_503, DROP, SLOW})

# Codes Exchange reports as a SOAP fault for the whole request rather than in a response message.
FAULT_CODES = frozenset(
    {
        "ErrorServerBusy",
        "ErrorImpersonateUserDenied",
        "ErrorNonExistentMailbox",
        "ErrorInvalidRequest",
        "ErrorSchemaValidation",
        "ErrorInternalServerError",
        "ErrorInternalServerTransientError",
        "ErrorAccessDenied",
        "ErrorExceededConnectionCount",
        "ErrorTooManyObjectsOpened",
        "ErrorTimeoutExpired",
        "ErrorInvalidServerVersion",
        "ErrorMailboxMoveInProgress",
    }
)

ANY = "*"


@dataclass(frozen=True, slots=True)
class Fault:
    operation: str  # an EWS operation name, or "*" for any request
    kind: str
    back_off_ms: int | None = None
    seconds: float = 0.0
    mailbox: str | None = None  # only requests acting on this mailbox (lower-case address)

    @property
    def as_soap_fault(self) -> bool:
        return self.kind in FAULT_CODES


class FaultInjector:
    """A queue of faults per operation; each one is used by exactly one matching request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        self.used: list[Fault] = []

    def next(
        self,
        operation: str,
        kind: str,
        *,
        count: int = 1,
        back_off_ms: int | None = None,
        seconds: float = 0.0,
        mailbox: str | None = None,
    ) -> None:
        """Make the next ``count`` requests of ``operation`` (``"*"``: any) answer with ``kind``."""
        if kind not in TRANSPORT_KINDS and not kind.startswith("Error"):
            raise ValueError(f"unknown fault kind {kind!r}: an EWS error code or one of {sorted(TRANSPORT_KINDS)}")
        if kind == SLOW and seconds <= 0:
            raise ValueError("a slow response needs seconds > 0")
        fault = Fault(operation, kind, back_off_ms, seconds, mailbox.lower() if mailbox else None)
        with self._lock:
            self._pending.extend([fault] * count)

    def take(self, operation: str, mailbox: str | None) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._pending):
                if fault.operation not in (operation, ANY):
                    continue
                if fault.mailbox is not None and fault.mailbox != (mailbox or "").lower():
                    continue
                del self._pending[index]
                self.used.append(fault)
                return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()


@dataclass(frozen=True, slots=True)
class RequestRecord:
    operation: str
    mailbox: str | None  # the mailbox the request acted on (impersonated or own)
    user: str | None  # who authenticated
    status: int
    connection: int


class Stats:
    """Requests per operation and per mailbox, and open connections now and at the peak."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.by_mailbox: Counter[tuple[str, str]] = Counter()
            self.log: list[RequestRecord] = []
            self.shapes: dict[str, tuple[str, ...]] = {}  # operation -> the item fields its last request asked for
            self.connections_total = 0
            self.connections_peak = getattr(self, "connections_open", 0)
            self.connections_open = getattr(self, "connections_open", 0)

    def connection_opened(self, hung_up: int = 0) -> int:
        """A new connection; ``hung_up`` of the open ones were already closed by their client (their
        threads have not read the end yet): the peak counts the connections clients hold."""
        with self._lock:
            self.connections_open += 1
            self.connections_total += 1
            self.connections_peak = max(self.connections_peak, self.connections_open - hung_up)
            return self.connections_total

    def connection_closed(self) -> None:
        with self._lock:
            self.connections_open -= 1

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self.log.append(record)
            self.requests[record.operation] += 1
            if record.mailbox:
                self.by_mailbox[(record.mailbox.lower(), record.operation)] += 1

    def record_shape(self, operation: str, fields: tuple[str, ...]) -> None:
        with self._lock:
            self.shapes[operation] = fields

    def count(self, operation: str | None = None, mailbox: str | None = None) -> int:
        """Requests so far, of one operation and/or acting on one mailbox."""
        with self._lock:
            return sum(
                1
                for record in self.log
                if (operation is None or record.operation == operation)
                and (mailbox is None or (record.mailbox or "").lower() == mailbox.lower())
            )

    def operations(self) -> list[str]:
        with self._lock:
            return [record.operation for record in self.log]
