"""What the engine tells the world: typed, frozen events on an in-process bus.

This is the only way the GUI learns about the engine: ``ui/bridge.py`` subscribes and turns the
events into Qt signals. Subscribers run on the event loop's thread, in order; one that raises is
logged and the others still run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from desktop_sync.domain.model import Alert, Channel, MailboxId, MailboxState
from desktop_sync.engine.counters import CountersView

log = logging.getLogger("desktop_sync.engine.events")


@dataclass(frozen=True, slots=True)
class MailboxStateChanged:
    mailbox_id: MailboxId
    address: str
    state: MailboxState
    detail: str = ""
    next_sync_at: dt.datetime | None = None
    backoff_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CycleStarted:
    mailbox_id: MailboxId
    address: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class CycleFinished:
    mailbox_id: MailboxId
    address: str
    at: dt.datetime
    items: int
    duration: float
    error_code: str | None = None
    next_sync_at: dt.datetime | None = None
    more_pending: bool = False  # stopped at the per-cycle cap; resumes next cycle


@dataclass(frozen=True, slots=True)
class ItemsSynced:
    mailbox_id: MailboxId
    address: str
    channel: Channel
    count: int
    total: int | None = None  # for progress during a first import, when the server tells


@dataclass(frozen=True, slots=True)
class ImportProgress:
    mailbox_id: MailboxId
    address: str
    done: int
    total: int | None


@dataclass(frozen=True, slots=True)
class AlertRaised:
    alert: Alert


@dataclass(frozen=True, slots=True)
class CountersUpdated:
    values: Mapping[str, float] = field(default_factory=dict)  # ``name{labels}`` -> value
    view: CountersView = field(default_factory=CountersView)  # the same, structured: what the dashboard reads


@dataclass(frozen=True, slots=True)
class OperationFinished:
    """An asynchronous operation (Test & Enable, a bulk job, a migration) ended."""

    operation: str
    subject: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OperationProgress:
    """How far an asynchronous operation is: ``done`` of ``total`` in its ``step`` (the operation's own
    step key, such as a migration's "Creating email server profiles")."""

    operation: str
    subject: str
    step: str
    done: int
    total: int


# What an operation calls to say how far it is: (step, done, total) -> an OperationProgress event.
ProgressReporter = Callable[[str, int, int], None]


Event = (
    MailboxStateChanged
    | CycleStarted
    | CycleFinished
    | ItemsSynced
    | ImportProgress
    | AlertRaised
    | CountersUpdated
    | OperationProgress
    | OperationFinished
)
Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add ``subscriber``; returns the function that removes it."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                log.exception("an event subscriber failed on %s", type(event).__name__)
