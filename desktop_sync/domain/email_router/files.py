"""The legacy E-mail Router's three files as read: what each holds, and the errors that name a file.

The reading itself (bytes to these values, refusing hostile XML) is outside the pure domain, in
``desktop_sync/adapters/email_router_files.py``; what the values mean is in this package's other
modules (see its ``__init__``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_sync.domain.errors import ValidationError

AGENT_FILE = "Microsoft.Crm.Tools.EmailAgent.xml"
STATE_FILE = "Microsoft.Crm.Tools.EmailAgent.SystemState.xml"
KEY_FILE = "EncryptionKey.xml"
ROUTER_FILES = (AGENT_FILE, STATE_FILE, KEY_FILE)
MAX_ROUTERS = 4
MAX_TOTAL_BYTES = 32 * 1024 * 1024  # the reference wizard's limit for all the files together
SMTP_ROUTER_PORT = 25

MICROSOFT_NAMESPACE = "microsoft.crm.tools.email.providers."
MICROSOFT_ASSEMBLIES = {"microsoft.crm.tools.emailproviders.dll", "microsoft.crm.tools.emailproviders"}


class RouterFileError(ValidationError):
    """One of the router's files cannot be used: missing, empty, too large, malformed. Names the file."""

    code = "router_file"

    def __init__(self, path: str, problem: str):
        super().__init__({"routers": f"{path}: {problem}"})
        self.path = path
        self.problem = problem


# --- what the files hold ----------------------------------------------------------------------------



@dataclass(frozen=True, slots=True)
class Setting:
    """An element as found in a file: its name in the file's own casing and its text."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Provider:
    """One ``ProviderConfiguration``: an incoming mailbox, or an outgoing profile for one deployment.

    The password element is never kept: only whether there was one.
    """

    source: str  # "<file>, line N": where an admin finds it
    provider_class: str | None = None
    assembly: str | None = None
    crm_server_url: str | None = None
    server_url: str | None = None
    auth_mode: str | None = None
    email_address: str | None = None
    email_user: str | None = None
    has_password: bool = False
    use_ssl: str | None = None
    is_forward_mailbox: str | None = None
    delete_emails: str | None = None
    profile_name: str | None = None  # the router's own name of the profile this provider belongs to
    user_ids: tuple[str, ...] = ()
    queue_ids: tuple[str, ...] = ()
    unknown: tuple[Setting, ...] = ()
    problems: tuple[str, ...] = ()  # contradictions inside the element itself


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """``Microsoft.Crm.Tools.EmailAgent.xml``: router-wide settings and the providers."""

    source: str
    providers: tuple[Provider, ...]
    settings: tuple[Setting, ...] = ()  # SystemConfiguration, ProviderOverrides/... flattened
    unknown_settings: tuple[Setting, ...] = ()
    notes: tuple[str, ...] = ()  # structure the reader tolerated (no SystemConfiguration, ...)


@dataclass(frozen=True, slots=True)
class StateRecord:
    """One provider instance's state from SystemState.xml: who it is and its ThresholdDate."""

    address: str | None
    identity: str | None
    threshold: dt.datetime | None  # None: absent, unreadable, or the "unset" 0001-01-01
    threshold_raw: str | None


@dataclass(frozen=True, slots=True)
class RouterFiles:
    """The three files of one router, read. The encryption key was checked and not kept."""

    directory: str
    agent: AgentConfig
    state: tuple[StateRecord, ...]
    sizes: tuple[tuple[str, int], ...]  # (file name, bytes)




PROFILE_NAME_MAX = 80  # a router profile's name, as part of a merged name "<in> + <out>" (200 at most)


def clean_profile_name(raw: str) -> str | None:
    """The router's profile name made fit to name a profile: one line, printable, not too long."""
    name = " ".join("".join(c if c.isprintable() else " " for c in raw).split())
    if len(name) > PROFILE_NAME_MAX:
        name = name[: PROFILE_NAME_MAX - 1].rstrip() + "…"
    return name or None


def size_text(n: int) -> str:
    """A file's size as the messages show it: KB, or MB from one MB."""
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"
