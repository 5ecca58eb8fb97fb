"""The report of a migration: what it did to each profile, mailbox and password, and the next steps."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from desktop_sync.domain.email_router.model import RouterWarning
from desktop_sync.domain.email_router.plan import Skipped

PROCESS_EMAIL_FROM_HOURS = 24  # Microsoft's migration sets "Process Email From" 24 hours back
TEST_ENABLE_BATCH = 200  # Microsoft: test and enable at most 200 mailboxes every 5 hours


class Result(enum.Enum):
    CREATED = "created"
    KEPT = "kept"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    STORED = "stored"  # a password went to the keyring
    NEEDED = "needed"  # a password is still missing


@dataclass(frozen=True, slots=True)
class Outcome:
    subject: str
    kind: str
    result: Result
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What a migration did; saved by the wizard as text or JSON."""

    started_at: dt.datetime
    finished_at: dt.datetime
    process_email_from: dt.datetime
    routers: tuple[str, ...]
    profiles: tuple[Outcome, ...]
    forward_mailboxes: tuple[Outcome, ...]
    mailboxes: tuple[Outcome, ...]
    credentials: tuple[Outcome, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[RouterWarning, ...]

    def count(self, result: Result) -> int:
        """How many mailboxes (forward, queues' and users') had this result."""
        return sum(o.result is result for o in self.forward_mailboxes + self.mailboxes)

    @property
    def ready_for_test(self) -> tuple[str, ...]:
        """The mailboxes created or changed: each needs approval and Test & Enable."""
        done = (Result.CREATED, Result.UPDATED)
        return tuple(o.subject for o in self.forward_mailboxes + self.mailboxes if o.result in done)

    @property
    def next_steps(self) -> tuple[str, ...]:
        steps = []
        needed = [o for o in self.credentials if o.result is Result.NEEDED and o.kind != "sign-in"]
        sign_ins = [o for o in self.credentials if o.result is Result.NEEDED and o.kind == "sign-in"]
        if sign_ins:
            profiles = "1 profile" if len(sign_ins) == 1 else f"{len(sign_ins)} profiles"
            steps.append(
                f"Sign the application of {profiles} in, as listed under Credentials "
                "(desktop-sync profile sign-in NAME, or Sign in… in the profile editor): their mailboxes sign in "
                "with OAuth 2.0 and never with a password."
            )
        if needed:
            steps.append(
                f"Enter the {len(needed)} missing password(s) listed under Credentials (profile editor, or "
                "desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a "
                "'credentials needed' alert."
            )
        if self.ready_for_test:
            steps.append(
                f"{len(self.ready_for_test)} mailbox(es) are left for you to approve and Test & Enable "
                "(desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). Nothing "
                f"synchronizes before that. Test and enable at most {TEST_ENABLE_BATCH} mailboxes per batch "
                "(Microsoft advises at most 200 every 5 hours), queues first."
            )
        steps.append(
            f"New profiles process email from {self.process_email_from.isoformat(timespec='minutes')} "
            f"({PROCESS_EMAIL_FROM_HOURS} hours before the migration), and so do the migrated mailboxes."
        )
        if any(w.code.value in ("non_ssl", "exchange_online_basic", "local_system") for w in self.warnings):
            steps.append(
                "Review the warnings before Test & Enable: some profiles need their security or sign-in changed."
            )
        steps.append("When the mailboxes work, stop the E-mail Router so that mail is not processed twice.")
        return tuple(steps)

    def to_dict(self) -> dict[str, Any]:
        from desktop_sync.domain.email_router.rendering import report_dict  # rendering reads this module's types

        return report_dict(self)

    def to_json(self) -> str:
        from desktop_sync.domain.email_router.rendering import report_json

        return report_json(self)

    def summary(self) -> str:
        """One line: how many profiles and mailboxes were created, kept, updated, skipped."""
        from desktop_sync.domain.email_router.rendering import report_summary

        return report_summary(self)

    def to_text(self) -> str:
        from desktop_sync.domain.email_router.rendering import report_text

        return report_text(self)
