"""The E-mail Router samples: where they are (``tests/reference/email-router``), and the users, queue and
profiles they describe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_sync.services.directory import DirectoryService
from desktop_sync.store import SqlStore

# In the repository: provenance and licence in tests/reference/email-router/PROVENANCE.md.
SAMPLES = Path(__file__).resolve().parents[1] / "reference" / "email-router"

# The sample's users and queue with the CRM ids its outgoing providers list.
SAMPLE_USERS = {
    "alice.adams@contoso.com": ("Alice Adams", "3f2a9c10-13d8-e011-9077-00155d0a1b01"),
    "bob.brown@contoso.com": ("Bob Brown", "3f2a9c11-13d8-e011-9077-00155d0a1b01"),
    "carol.clark@contoso.com": ("Carol Clark", "3f2a9c12-13d8-e011-9077-00155d0a1b01"),
    "dave.davis@contoso.com": ("Dave Davis", "3f2a9c13-13d8-e011-9077-00155d0a1b01"),
    "erin.evans@contoso.com": ("Erin Evans", "3f2a9c14-13d8-e011-9077-00155d0a1b01"),
    "frank.foster@contoso.com": ("Frank Foster", "3f2a9c15-13d8-e011-9077-00155d0a1b01"),
}
SAMPLE_QUEUES = {"sales@contoso.com": ("Sales", "7b1e4d20-19d8-e011-9077-00155d0a1b01")}

# Named after the router's own profiles (ProfileName), "<incoming> + <outgoing>".
EXCHANGE_SMTP = "Exchange 2010 Incoming + SMTP Outgoing"
POP3_SMTP = "POP3 Incoming (service account CONTOSO\\svc-crmpop) + SMTP Outgoing"
ONLINE = "Exchange Online Incoming + Exchange 2010 Outgoing"
FORWARD = "POP3 Incoming (mailbox credentials)"
SAMPLE_PROFILES = sorted([EXCHANGE_SMTP, POP3_SMTP, ONLINE, FORWARD], key=str.lower)


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


RouterFactory = Callable[..., Path]  # the make_router fixture


async def seed_directory(store: SqlStore, *, skip: tuple[str, ...] = ()) -> None:
    directory = DirectoryService(store)
    for email, (name, crm_id) in SAMPLE_USERS.items():
        if email not in skip:
            await directory.add_user(email, name, crm_id)
    for email, (name, crm_id) in SAMPLE_QUEUES.items():
        if email not in skip:
            await directory.add_queue(email, name, crm_id)
