"""The one error taxonomy: every failure the product reports is a DesktopSyncError.

Connectors and the store translate library exceptions into these at the edge (``raise ... from exc``),
so the engine, the services and the UI never see a library's exception type.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class ErrorScope(enum.Enum):
    """What an error puts out of action: one item, one mailbox, or a whole profile."""

    ITEM = "item"
    MAILBOX = "mailbox"
    PROFILE = "profile"


class DesktopSyncError(Exception):
    """Root of every error the product raises on purpose.

    ``code`` is a stable machine-readable identifier; user-facing text (title, cause, fix) is
    looked up by code in :mod:`desktop_sync.domain.messages`.
    """

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, scope: ErrorScope = ErrorScope.MAILBOX):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.scope = scope

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class TransientError(DesktopSyncError):
    """May succeed later: unreachable server, time-out, throttling. Retried with back-off."""

    code = "transient"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        scope: ErrorScope = ErrorScope.MAILBOX,
        retry_after: float | None = None,
    ):
        super().__init__(message, code=code, scope=scope)
        self.retry_after = retry_after


class PermanentError(DesktopSyncError):
    """Will not succeed without someone changing something: the channel is disabled at once."""

    code = "permanent"


class CheckText(str):
    """A check's English text that keeps the code and facts it was made of (domain/validation.py's
    ``field_error``): the CLI and every comparison read the text as it is, while the GUI says it in its
    own language from the code and the facts, never by reading the facts back out of the words."""

    code: str
    facts: Mapping[str, str]

    def __new__(cls, text: str, code: str, facts: Mapping[str, str]) -> CheckText:
        made = super().__new__(cls, text)
        made.code = code
        made.facts = MappingProxyType(dict(facts))
        return made


class ValidationError(DesktopSyncError):
    """Input that is refused before anything is written. Carries one message per field: a CheckText
    (a code and its facts) for every check of ours, plain text for what another layer words itself."""

    code = "validation"

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        first_field, first_message = next(iter(self.errors.items()))
        super().__init__(f"{first_field}: {first_message}", scope=ErrorScope.ITEM)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})

    @property
    def checks(self) -> dict[str, CheckText]:
        """The fields refused by a check of ours, with its code and facts."""
        return {field: message for field, message in self.errors.items() if isinstance(message, CheckText)}


class NotFoundError(DesktopSyncError):
    """A record named by the user does not exist (unknown profile, user, mailbox...)."""

    code = "not_found"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}", scope=ErrorScope.ITEM)
        self.field = field


class SecretStoreUnavailable(DesktopSyncError):
    """No secure keyring backend: passwords are refused rather than stored in clear text."""

    code = "no_secure_keyring"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field's complaint, as services return it to forms."""

    field: str
    message: str


class DeliveryUnknown(TransientError):
    """The connection broke after the message was handed over: it may or may not have gone out.

    Never resent blindly: the sender looks for it in Sent first, else holds it for the admin.
    """

    code = "delivery_unknown"
