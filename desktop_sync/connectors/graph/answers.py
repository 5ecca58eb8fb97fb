"""What Microsoft Graph answers, read defensively: pages, delta links, batch responses, Retry-After and
errors, each turned into our values or our error taxonomy.

Nothing here does I/O: the client (``client.py``) hands over the status, headers and decoded JSON, and
gets back a page, a batch answer, a wait or a ``DesktopSyncError``. A server answer of an unexpected
shape is a ``protocol_error`` that says what was wrong, never a ``KeyError`` or a ``TypeError``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.signin import SignInNeeded

MAX_RETRY_AFTER = 3600.0  # a Retry-After past an hour is taken as an hour: the engine polls again anyway
PERMISSION_DENIED = "graph_permission_denied"

# Graph's error codes (the ``error.code`` of an answer) that name a mailbox that is not there to use.
_MAILBOX_GONE = frozenset(
    code.lower()
    for code in (
        "ErrorInvalidUser",
        "MailboxNotEnabledForRESTAPI",
        "MailboxNotSupportedForRESTAPI",
        "ResourceNotFound",
        "Request_ResourceNotFound",
        "ErrorNonExistentMailbox",
    )
)
_SYNC_STATE_GONE = frozenset({"syncstatenotfound", "syncstateinvalid", "resyncrequired", "invaliddeltatoken"})
_BUSY_STATUSES = frozenset({429, 502, 503, 504})


class DeltaGone(TransientError):
    """The server no longer knows the delta token (410 Gone, ``syncStateNotFound``): the round must start
    again without a token. Connectors catch it; one that escapes is retried like any protocol error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=ErrorCode.PROTOCOL_ERROR.value, scope=ErrorScope.MAILBOX)


def _protocol(message: str) -> DesktopSyncError:
    return error(ErrorCode.PROTOCOL_ERROR, message)


# --- pages


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a collection: its items, and the link to the next page or the delta link that ends a round."""

    items: tuple[dict[str, Any], ...]
    next_link: str | None = None
    delta_link: str | None = None


def read_page(payload: Any, what: str) -> Page:
    """A collection page (``{"value": [...], "@odata.nextLink" | "@odata.deltaLink": ...}``) of ``what``."""
    if not isinstance(payload, dict):
        raise _protocol(f"{what}: the answer is not a JSON object")
    values = payload.get("value")
    if not isinstance(values, list):
        raise _protocol(f"{what}: the answer has no list of values")
    items: list[dict[str, Any]] = []
    for position, value in enumerate(values):
        if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
            raise _protocol(f"{what}: item {position} of the page has no id")
        items.append(value)
    next_link = _link(payload, "@odata.nextLink", what)
    delta_link = _link(payload, "@odata.deltaLink", what)
    return Page(tuple(items), next_link, delta_link)


def _link(payload: Mapping[str, Any], name: str, what: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("https://"):
        raise _protocol(f"{what}: {name} is not an https link")
    return value


def read_object(payload: Any, what: str) -> dict[str, Any]:
    """One resource: a JSON object with an id."""
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not payload["id"]:
        raise _protocol(f"{what}: the answer is not a resource with an id")
    return payload


def removed(item: Mapping[str, Any]) -> bool:
    """A delta item that left the collection (deleted, moved away)."""
    return "@removed" in item


# --- $batch


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """One request of a JSON batch; ``url`` is relative to the version root ("/users/…/messages/…")."""

    id: str
    method: str
    url: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.id, "method": self.method, "url": self.url}
        headers = dict(self.headers)
        if self.body is not None:
            found["body"] = self.body
            headers.setdefault("Content-Type", "application/json")
        if headers:
            found["headers"] = headers
        return found


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    """One request's answer inside a batch: its status, headers and body (JSON, or base64 text for bytes)."""

    id: str
    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def read_batch(payload: Any, asked: Sequence[str]) -> dict[str, BatchAnswer]:
    """The answers of a batch by request id; each id asked must be answered exactly once."""
    if not isinstance(payload, dict) or not isinstance(payload.get("responses"), list):
        raise _protocol("$batch: the answer has no list of responses")
    answers: dict[str, BatchAnswer] = {}
    for position, response in enumerate(payload["responses"]):
        if not isinstance(response, dict):
            raise _protocol(f"$batch: response {position} is not an object")
        identity, status = response.get("id"), response.get("status")
        if not isinstance(identity, str) or identity not in asked or identity in answers:
            raise _protocol(f"$batch: response {position} answers no request asked (id {identity!r})")
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise _protocol(f"$batch: response {identity} has no HTTP status")
        headers = response.get("headers") or {}
        if not isinstance(headers, dict):
            raise _protocol(f"$batch: response {identity} has malformed headers")
        answers[identity] = BatchAnswer(
            identity, status, {str(k): str(v) for k, v in headers.items()}, response.get("body")
        )
    missing = [identity for identity in asked if identity not in answers]
    if missing:
        raise _protocol(f"$batch: no response for {len(missing)} of the requests (first: {missing[0]})")
    return answers


# --- throttling


def retry_after(headers: Mapping[str, str], now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), None when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def busy(status: int) -> bool:
    """Throttled or unavailable: retried after the server's Retry-After, else with back-off."""
    return status in _BUSY_STATUSES


# --- errors


def error_code(payload: Any) -> tuple[str, str]:
    """Graph's ``error.code`` and ``error.message`` of an error answer ("" for what is missing)."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        inner = payload["error"]
        code, message = inner.get("code"), inner.get("message")
        return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")
    return "", ""


# The permission a request needs, by the first segment of its path under the mailbox.
_PERMISSIONS = {
    "sendmail": "Mail.Send",
    "contacts": "Contacts.ReadWrite",
    "contactfolders": "Contacts.ReadWrite",
    "events": "Calendars.ReadWrite",
    "calendar": "Calendars.ReadWrite",
    "calendarview": "Calendars.ReadWrite",
    "calendars": "Calendars.ReadWrite",
    "todo": "Tasks.ReadWrite.All",
}


def permission_for(path: str) -> str:
    """The Microsoft Graph permission a request under ``/users/{id}/`` + ``path`` needs."""
    first = path.strip("/").split("/")[0].split("?")[0].lower()
    return _PERMISSIONS.get(first, "Mail.ReadWrite")


def failure(
    status: int,
    payload: Any,
    *,
    mailbox: str,
    path: str,
    server: str,
    auth_scope: ErrorScope,
    headers: Mapping[str, str] | None = None,
) -> DesktopSyncError:
    """The domain error for a Graph answer that is not a success (the client handles 401's one retry)."""
    code, said = error_code(payload)
    detail = f"{status} {code}: {said}".strip().rstrip(":") if code or said else f"HTTP {status}"
    lowered = code.lower()
    if status == 410 or lowered in _SYNC_STATE_GONE:
        return DeltaGone(f"{mailbox} {path}: the server no longer knows the delta token ({detail})")
    if status == 401:
        return SignInNeeded(f"{server} refused the access token for {mailbox} ({detail})", scope=auth_scope)
    if status == 403:
        permission = permission_for(path)
        return PermanentError(
            f"{server} denied {mailbox} the permission {permission} ({detail})",
            code=PERMISSION_DENIED,
            scope=ErrorScope.MAILBOX,
        )
    if status == 404:
        if lowered in _MAILBOX_GONE:
            return error(ErrorCode.MAILBOX_NOT_FOUND, f"{server} has no mailbox {mailbox} ({detail})")
        return error(ErrorCode.ITEM_NOT_FOUND, f"{mailbox} {path}: not found ({detail})", scope=ErrorScope.ITEM)
    if busy(status):
        wait = retry_after(headers or {})
        return error(ErrorCode.SERVER_BUSY, f"{server} is busy for {mailbox} ({detail})", retry_after=wait)
    return _protocol(f"{server} answered {mailbox} {path} with {detail}")
