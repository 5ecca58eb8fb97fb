"""What the status bar says once the admin confirmed the changes a safety stop held for a mailbox
(from the synchronization preview or from the alert that says they wait)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop_sync.services.sync_control import ActConfirmation


def confirmation_message(outcome: ActConfirmation, address: str) -> str:
    if outcome.applied and not outcome.held_again:
        text = QCoreApplication.translate("HeldChanges", "The held changes of {address} were applied once.")
    elif outcome.held_again:
        text = QCoreApplication.translate(
            "HeldChanges",
            "The changes of {address} changed since they were held: nothing was applied, "
            "and the new plan waits. Preview it, then confirm again.",
        )
    else:
        text = QCoreApplication.translate("HeldChanges", "Nothing waits for confirmation for {address}.")
    return text.format(address=address)
