"""Every user-facing text about a failure or an event: a title, its cause and the fix, by code.

One module owns them so the GUI, the CLI and alerts say the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Explanation:
    title: str
    cause: str
    fix: str


_CATALOGUE: dict[str, Explanation] = {
    "mailbox_remapped": Explanation(
        title="Mailbox mapped to another user",
        cause="{address} was mapped to {old_owner} and is now mapped to {new_owner}. The previous "
        "mapping and its synchronization stopped.",
        fix="Run Test & Enable on {address} so that it synchronizes for {new_owner}.",
    ),
    "mailbox_unmapped": Explanation(
        title="Mailbox left without an owner",
        cause="{address} belonged to {old_owner}, who is now mapped to {other_address}; a user has "
        "at most one mailbox, so {address} stopped synchronizing.",
        fix="Map {address} to another user or queue, or leave it unused.",
    ),
    "no_secure_keyring": Explanation(
        title="No secure keyring",
        cause="Passwords are kept only in the system keyring, and none that keeps them safe is available.",
        fix="Start a Secret Service (GNOME Keyring or KWallet) in your session, then try again.",
    ),
    "store_unavailable": Explanation(
        title="The CRM store cannot be opened",
        cause="{detail}",
        fix="Check the database URL (--db or DESKTOP_SYNC_DB), that the server is running, and that "
        "the disk is not full.",
    ),
}


def explain(code: str, **facts: str) -> Explanation:
    """The text for ``code`` with ``facts`` filled in; an unknown code still says something useful."""
    template = _CATALOGUE.get(code)
    if template is None:
        detail = facts.get("detail", "")
        return Explanation(title=code.replace("_", " ").capitalize(), cause=detail, fix="")
    return Explanation(
        title=template.title.format(**facts),
        cause=template.cause.format(**facts),
        fix=template.fix.format(**facts),
    )
