"""The ports: every Protocol the outer rings implement, and the value types they take, in one home.

One module per side:

- ``store`` — the unit of work (``Store``, ``Transaction``) and one repository per noun, with the
  value types they take (``IncomingEmail``, ``OutgoingDraft``); ``desktop_sync.store`` implements it.
- ``connectors`` — what the engine asks of a mail server (``IncomingMail``, ``OutgoingMail``,
  ``ActSync``, ``ConnectorFactory``...) with batches, cursors, credentials and connection tests;
  ``desktop_sync.connectors`` implements it.
- ``secrets`` — ``SecretStore`` (the system keyring); ``desktop_sync.secrets`` implements it.
- ``local`` — the settings file and starting at login (``LocalConfig``, ``Autostart``).
- ``clock`` — ``Clock``, what the engine asks the time of.
- ``identity`` — ``TokenIssuer`` (OAuth access tokens, for the engine) and ``SignInBroker`` (signing
  people in, for the services); ``desktop_sync.identity.TokenBroker`` implements both.

The engine and services are written against these only. Every name is importable from this
package as well as from its side's module.
"""

from desktop_sync.domain.ports.clock import Clock, utcnow
from desktop_sync.domain.ports.connectors import (
    ActChanges,
    ActSync,
    Batch,
    BearerTokens,
    Categorizing,
    ConnectionParking,
    ConnectionTest,
    ConnectionTestStep,
    ConnectorFactory,
    Credentials,
    Cursor,
    IncomingMail,
    ItemFailure,
    OutgoingMail,
    OutgoingMessage,
    PushListener,
    RawMessage,
    SendOutcome,
    SendResult,
    StepResult,
    ThrottleKey,
    step_text,
)
from desktop_sync.domain.ports.identity import SignInBroker, TokenIssuer
from desktop_sync.domain.ports.local import Autostart, LocalConfig
from desktop_sync.domain.ports.secrets import SecretStore
from desktop_sync.domain.ports.store import (
    ActHoldRepository,
    ActivityRepository,
    ActLinkRepository,
    AlertRepository,
    AppSettingsRepository,
    ConflictRepository,
    CounterRepository,
    CrmRecordRepository,
    CursorRepository,
    FailedItemRepository,
    IncomingEmail,
    LeaseRepository,
    MailboxRepository,
    OutgoingDraft,
    OutgoingRepository,
    ProfileRepository,
    QueueRepository,
    RecordRepository,
    StatusRepository,
    Store,
    SyncFilterRepository,
    TrackedFolderRepository,
    Transaction,
    UserRepository,
)

__all__ = [
    "ActChanges",
    "ActHoldRepository",
    "ActLinkRepository",
    "ActSync",
    "ActivityRepository",
    "AlertRepository",
    "AppSettingsRepository",
    "Autostart",
    "Batch",
    "BearerTokens",
    "Categorizing",
    "Clock",
    "ConflictRepository",
    "ConnectionParking",
    "ConnectionTest",
    "ConnectionTestStep",
    "ConnectorFactory",
    "CounterRepository",
    "Credentials",
    "CrmRecordRepository",
    "Cursor",
    "CursorRepository",
    "FailedItemRepository",
    "IncomingEmail",
    "IncomingMail",
    "ItemFailure",
    "LeaseRepository",
    "LocalConfig",
    "MailboxRepository",
    "OutgoingDraft",
    "OutgoingMail",
    "OutgoingMessage",
    "OutgoingRepository",
    "ProfileRepository",
    "PushListener",
    "QueueRepository",
    "RawMessage",
    "RecordRepository",
    "SecretStore",
    "SendOutcome",
    "SendResult",
    "SignInBroker",
    "StatusRepository",
    "StepResult",
    "Store",
    "SyncFilterRepository",
    "ThrottleKey",
    "TokenIssuer",
    "TrackedFolderRepository",
    "Transaction",
    "UserRepository",
    "step_text",
    "utcnow",
]
