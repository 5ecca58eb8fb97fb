"""What a mailbox's incoming cycle starts from (``Context``, ``CycleSettings``) and what it ends with
(``Committed`` per batch, ``CycleOutcome`` per cycle)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop_sync.domain.folders import TrackedFolder
from desktop_sync.domain.model import FailedItem, Mailbox, MailboxId, Profile, SyncStatus, TrackingChoice
from desktop_sync.domain.ports.connectors import RawMessage
from desktop_sync.domain.retry import RetryPolicy
from desktop_sync.domain.schedule import SchedulePolicy


@dataclass(frozen=True, slots=True)
class CycleSettings:
    items_per_cycle: int = 500
    attachment_limit: int = 5 * 1024 * 1024
    smart_matching: bool = False  # correlate by subject words and two shared addresses (after the headers)
    parse_processes: int | None = None  # worker processes parsing mail; None: one per core (up to 4), 0: a thread
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    schedule: SchedulePolicy = field(default_factory=SchedulePolicy)


@dataclass(frozen=True, slots=True)
class Committed:
    """What one batch's transaction committed."""

    committed: list[RawMessage]  # every item read (tracked or not): the connector may let go of them
    new: int  # email activities created
    tracked: list[str]  # server ids of the items tracked
    undeliverable: list[str]  # server ids of the items that failed for good


@dataclass(frozen=True, slots=True)
class Context:
    mailbox: Mailbox
    profile: Profile
    tracking: TrackingChoice | None  # the owner's choice; None for queues and unowned mailboxes
    auto_create_contacts: bool
    status: SyncStatus
    cursors: dict[str, str]
    retries: tuple[FailedItem, ...]  # failed items due for another try
    tracked_folders: tuple[TrackedFolder, ...] = ()

    @property
    def id(self) -> MailboxId:
        assert self.mailbox.id is not None
        return self.mailbox.id

    @property
    def server(self) -> str:
        return f"{self.profile.incoming.host}:{self.profile.incoming.port}"


@dataclass(frozen=True, slots=True)
class CycleOutcome:
    next_sync_at: dt.datetime | None  # None: not scheduled again until something changes
    items: int = 0
    error_code: str | None = None
    more_pending: bool = False  # stopped at the per-cycle cap: the next cycle resumes in seconds
