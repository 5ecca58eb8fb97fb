"""The edge where exchangelib's failures become domain errors, in the style of ``connectors.errors``.

exchangelib reports a failure in three ways: an EWS response code (a class per code, e.g.
``ErrorServerBusy`` with the server's back-off), an HTTP status read by its retry policy
(``UnauthorizedError``, 503), or a transport failure that it re-raises as ``ErrorTimeoutExpired``
or ``TransportError`` with the socket, TLS or requests exception as its context. ``translate_ews``
reads all three; ``may_have_reached_server`` tells a send that failed before the request left from
one whose fate is unknown.
"""

from __future__ import annotations

import enum
import socket
import ssl
from collections.abc import Iterator

import exchangelib.errors as ews
import requests
import urllib3.exceptions
from oauthlib.oauth2.rfc6749 import errors as oauth_errors  # type: ignore[import-untyped]

from desktop_sync.connectors.errors import ErrorCode, error, translate
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError


class EwsErrorCode(enum.StrEnum):
    """Codes only Exchange raises; their user-facing text lives in domain.messages like the others."""

    IMPERSONATION_DENIED = "impersonation_denied"  # permanent, profile: the service account may not impersonate
    ACCESS_DENIED = "access_denied"  # permanent, mailbox: the account may not open that mailbox or folder
    AUTODISCOVER_FAILED = "autodiscover_failed"  # permanent, profile: no EWS URL could be found


# EWS response codes that mean "the server cannot serve you now": retried with back-off.
BUSY = (
    ews.ErrorServerBusy,
    ews.ErrorInternalServerTransientError,
    ews.ErrorTooManyObjectsOpened,
    ews.ErrorExceededConnectionCount,
    ews.ErrorMailboxMoveInProgress,
    ews.ErrorMailboxStoreUnavailable,
    ews.ErrorConnectionFailed,
    ews.RateLimitError,
)

# Refusals of one mail by the server: it will never go through as it is (a "5xx").
REJECTIONS = (
    ews.ErrorInvalidRecipients,
    ews.ErrorInvalidRecipientSubfilter,
    ews.ErrorInvalidSmtpAddress,
    ews.ErrorMessageSizeExceeded,
    ews.ErrorNonPrimarySmtpAddress,
    ews.ErrorInvalidRequest,
    ews.ErrorMimeContentConversionFailed,
    ews.ErrorMimeContentInvalid,
)

# Failures that happen before a request is written to the connection.
_NOT_SENT = (
    urllib3.exceptions.NewConnectionError,  # refused, unreachable, name not resolved
    urllib3.exceptions.ConnectTimeoutError,
    requests.exceptions.ConnectTimeout,
    requests.exceptions.SSLError,  # the TLS handshake comes before the request
    ssl.SSLError,
    ConnectionRefusedError,
    socket.gaierror,
)


def ews_error(code: EwsErrorCode, message: str, *, scope: ErrorScope) -> DesktopSyncError:
    return PermanentError(message, code=code.value, scope=scope)


def translate_ews(
    exc: BaseException, *, auth_scope: ErrorScope = ErrorScope.MAILBOX, server: str = "the server"
) -> DesktopSyncError:
    """The domain error for an exchangelib (or requests, oauthlib, socket) exception; raise it ``from exc``."""
    if isinstance(exc, DesktopSyncError):
        return exc
    text = _describe(exc)
    if isinstance(exc, ews.UnauthorizedError):
        return error(ErrorCode.AUTH_FAILED, text, scope=auth_scope)
    if isinstance(exc, oauth_errors.OAuth2Error):
        if isinstance(exc, oauth_errors.TemporarilyUnavailableError | oauth_errors.ServerError):
            return error(ErrorCode.SERVER_BUSY, f"the token service: {text}")
        refused = f"the token service refused the client credentials: {text}"
        return error(ErrorCode.AUTH_FAILED, refused, scope=auth_scope)
    if isinstance(exc, ews.ErrorImpersonateUserDenied):
        return ews_error(
            EwsErrorCode.IMPERSONATION_DENIED,
            f"the service account may not impersonate this mailbox: {text}",
            scope=ErrorScope.PROFILE,
        )
    if isinstance(exc, ews.ErrorNonExistentMailbox):
        return error(ErrorCode.MAILBOX_NOT_FOUND, text)
    if isinstance(exc, ews.ErrorAccessDenied):
        return ews_error(EwsErrorCode.ACCESS_DENIED, text, scope=ErrorScope.MAILBOX)
    if isinstance(exc, ews.ErrorItemNotFound):
        return error(ErrorCode.ITEM_NOT_FOUND, text, scope=ErrorScope.ITEM)
    if isinstance(exc, ews.ErrorFolderNotFound):
        return error(ErrorCode.MAILBOX_NOT_FOUND, f"folder not found: {text}")
    if isinstance(exc, ews.AutoDiscoverError):
        return ews_error(EwsErrorCode.AUTODISCOVER_FAILED, text, scope=ErrorScope.PROFILE)
    low = _transport_cause(exc)
    if low is not None:
        # A socket, DNS or TLS failure under exchangelib's wrapping (ErrorTimeoutExpired, TransportError,
        # or an ErrorServerBusy it made of a dropped connection): the shared translation knows those.
        return translate(low, auth_scope=auth_scope)
    if isinstance(exc, BUSY):
        back_off = getattr(exc, "back_off", None)
        retry_after = float(back_off) if isinstance(back_off, int | float) and back_off > 0 else None
        return error(ErrorCode.SERVER_BUSY, text, retry_after=retry_after)
    if isinstance(exc, ews.ErrorTimeoutExpired):
        return error(ErrorCode.TIMEOUT, text)
    if isinstance(exc, ews.RedirectError):
        return error(ErrorCode.PROTOCOL_ERROR, f"{server} redirects elsewhere; check the EWS URL: {text}")
    if isinstance(exc, TimeoutError | OSError):
        return translate(exc, auth_scope=auth_scope)
    return error(ErrorCode.PROTOCOL_ERROR, f"{type(exc).__name__}: {text}")


def may_have_reached_server(exc: BaseException) -> bool:
    """Whether a request that failed with ``exc`` may have been received (and acted on) by the server.

    True for a connection dropped or timed out after the request was written, and for an answer we
    could not read; False when the connection or the TLS handshake never completed, or the server
    answered with an EWS error (it refused: nothing was done).
    """
    links = list(_chain(exc))
    if any(isinstance(link, _NOT_SENT) for link in links):
        return False
    if _transport_cause(exc) is not None:
        return True
    # An answer came that we could not read.
    return isinstance(exc, ews.MalformedResponseError | ews.SOAPError) and not isinstance(exc, ews.ResponseMessageError)


def _transport_cause(exc: BaseException) -> BaseException | None:
    """The deepest socket, TLS or timeout exception under ``exc``, when a transport failure caused it."""
    deepest: BaseException | None = None
    for link in _chain(exc):
        if link is exc and isinstance(exc, ews.EWSError):
            continue
        if isinstance(link, ssl.SSLError | TimeoutError | ConnectionError | EOFError) or (
            isinstance(link, OSError) and not isinstance(link, requests.exceptions.RequestException)
        ):
            deepest = link
        elif isinstance(link, requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError):
            deepest = deepest or ConnectionResetError(str(link))
    return deepest


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes: ``__cause__``, ``__context__`` and urllib3's ``reason``, each once."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        link = stack.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        for nxt in (link.__cause__, link.__context__, getattr(link, "reason", None)):
            if isinstance(nxt, BaseException):
                stack.append(nxt)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]
