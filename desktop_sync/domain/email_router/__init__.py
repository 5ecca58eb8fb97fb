"""The legacy E-mail Router's configuration files, read tolerantly, and the rules that merge them into profiles.

What the format is known to be (with a confidence label on every element) is in the research notes
``tests/reference/email-router/README.md``. This package holds what the three files of each router
say (``files``; reading them from bytes, refusing hostile XML, is the adapter
``desktop_sync/adapters/email_router_files.py``), classifies each provider (``classify``), groups the
providers into the router's incoming and outgoing profiles, merges each (incoming, outgoing) pair that
a user or queue actually uses into one email server profile (``analysis``, ``names``, ``merge``), and
says why whatever cannot be migrated cannot; ``plan`` says what a migration would do, ``report`` what
it did, ``rendering`` both as English text and JSON. It never decrypts a password: it only notes that
one was there.

Reading rules: element names are compared case-insensitively and without namespaces; elements we
do not know are kept and shown, never used; a value we cannot map is reported, not guessed. A
document with a DOCTYPE or an entity declaration is refused, so no entity is ever expanded.

Mapping (router -> profile field), the parts marked [I] resting on inferred element names or values:

- ProfileName [I]: the router's name of the profile a provider belongs to; it names the router
  profile (else its type and host), and so the merged profile, "<incoming> + <outgoing>".

- ProviderClass [I]: ``...Pop3...`` POP3 in; ``...Imap...`` IMAP in; ``...Smtp...`` SMTP out;
  ``...Exchange...`` Exchange, out when the class name has ``Send``; ``...WebDav...`` or an Exchange
  location under ``/exchange`` or ``/public`` is WebDAV, which cannot be migrated; a class outside
  ``Microsoft.Crm.Tools.Email.Providers`` is a custom provider, which cannot be migrated.
- EmailServerUrl [I] -> host, port and EWS URL; EmailUseSSL [I] (else the URL's scheme, else an
  implicit-TLS port) -> security: POP3/IMAP ``tls``; SMTP ``starttls`` (the router's SMTP client
  upgraded the connection), ``smtps://`` ``tls``; no SSL -> ``none`` with allow-insecure and a warning.
  SMTP without a port keeps 25, the port the router used.
- EmailAuthMode [D] (values [I]): Windows/NTLM -> ntlm; ClearText/Basic/Office365 -> basic;
  Anonymous -> no credentials (SMTP only).
- Credentials: EmailUser [I] shared by several mailboxes -> the profile's service account
  ("Other specified"); EmailUser equal to the mailbox's address, or its own -> the mailbox's
  ("User specified"); no EmailUser -> the router's Local System account, which Desktop Sync cannot
  use: each mailbox then needs its credentials.
"""

from desktop_sync.domain.email_router.analysis import accounts_for, analyze
from desktop_sync.domain.email_router.files import (
    AGENT_FILE,
    KEY_FILE,
    MAX_ROUTERS,
    MAX_TOTAL_BYTES,
    PROFILE_NAME_MAX,
    ROUTER_FILES,
    STATE_FILE,
    AgentConfig,
    Provider,
    RouterFileError,
    RouterFiles,
    Setting,
    StateRecord,
)
from desktop_sync.domain.email_router.model import (
    Account,
    AuthMode,
    CredentialMode,
    EntraApp,
    MailboxKind,
    MailboxOwner,
    MergedProfile,
    OwnerKind,
    Role,
    RouterMailbox,
    RouterProfile,
    RouterReading,
    RouterSummary,
    RouterWarning,
    ServerSettings,
    ServerType,
    StoreSnapshot,
    WarningCode,
)

__all__ = [
    "AGENT_FILE",
    "KEY_FILE",
    "MAX_ROUTERS",
    "MAX_TOTAL_BYTES",
    "PROFILE_NAME_MAX",
    "ROUTER_FILES",
    "STATE_FILE",
    "Account",
    "AgentConfig",
    "AuthMode",
    "CredentialMode",
    "EntraApp",
    "MailboxKind",
    "MailboxOwner",
    "MergedProfile",
    "OwnerKind",
    "Provider",
    "Role",
    "RouterFileError",
    "RouterFiles",
    "RouterMailbox",
    "RouterProfile",
    "RouterReading",
    "RouterSummary",
    "RouterWarning",
    "ServerSettings",
    "ServerType",
    "Setting",
    "StateRecord",
    "StoreSnapshot",
    "WarningCode",
    "accounts_for",
    "analyze",
]
