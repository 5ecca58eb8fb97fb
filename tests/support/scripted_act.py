"""A scripted Exchange for appointments, contacts and tasks: items per type, a change log, change keys."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.domain.act import ExchangeItem
from desktop_sync.domain.errors import DesktopSyncError, TransientError
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports.connectors import ActChanges, CalendarWindow, ConnectionTest


@dataclass
class StoredItem:
    change_key: str
    values: dict[str, Any]
    tracked: bool
    origin: int | None = None
    deleted: bool = False


@dataclass
class ScriptedExchange:
    items: dict[RecordType, dict[str, StoredItem]] = field(default_factory=dict)
    log: list[tuple[RecordType, str]] = field(default_factory=list)  # (type, id) in change order
    keys: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    invitations: list[str] = field(default_factory=list)  # ids created with invitations sent
    fail_next: list[DesktopSyncError] = field(default_factory=list)
    requests: int = 0

    def of(self, record_type: RecordType) -> dict[str, StoredItem]:
        return self.items.setdefault(record_type, {})

    def touch(self, record_type: RecordType, server_id: str) -> str:
        key = f"ck{next(self.keys)}"
        self.of(record_type)[server_id].change_key = key
        self.log.append((record_type, server_id))
        return key

    # --- what a user does in Outlook
    def add(self, record_type: RecordType, values: Mapping[str, Any], tracked: bool = True) -> str:
        server_id = f"{record_type.value[:1].upper()}{next(self.keys)}"
        self.of(record_type)[server_id] = StoredItem("", dict(values), tracked)
        self.touch(record_type, server_id)
        return server_id

    def edit(self, record_type: RecordType, server_id: str, **values: Any) -> None:
        self.of(record_type)[server_id].values.update(values)
        self.touch(record_type, server_id)

    def remove(self, record_type: RecordType, server_id: str) -> None:
        self.of(record_type)[server_id].deleted = True
        self.touch(record_type, server_id)

    def live(self, record_type: RecordType) -> dict[str, StoredItem]:
        return {k: v for k, v in self.of(record_type).items() if not v.deleted}


class ScriptedAct:
    def __init__(self, exchange: ScriptedExchange):
        self.exchange = exchange

    def _maybe_fail(self) -> None:
        self.exchange.requests += 1
        if self.exchange.fail_next:
            raise self.exchange.fail_next.pop(0)

    async def changes(
        self, record_type: RecordType, cursor: str | None, limit: int, *, window: CalendarWindow | None = None
    ) -> ActChanges:
        self._maybe_fail()
        start = int(cursor or 0)
        matching = [(n, e) for n, e in enumerate(self.exchange.log[start:], start) if e[0] is record_type]
        more = len(matching) > limit
        entries = [e for _, e in matching[:limit]]
        position = matching[limit - 1][0] + 1 if more else len(self.exchange.log)
        seen: dict[str, ExchangeItem] = {}
        for _, server_id in entries:
            stored = self.exchange.of(record_type)[server_id]
            seen[server_id] = ExchangeItem(
                server_id, stored.change_key, dict(stored.values), stored.tracked, stored.deleted, stored.origin
            )
        return ActChanges(tuple(seen.values()), str(position), more, full=cursor is None)

    async def create(
        self, record_type: RecordType, values: Mapping[str, Any], *, local_id: int, send_invitations: bool = False
    ) -> tuple[str, str | None]:
        self._maybe_fail()
        server_id = f"{record_type.value[:1].upper()}{next(self.exchange.keys)}"
        self.exchange.of(record_type)[server_id] = StoredItem("", dict(values), True, local_id)
        if send_invitations:
            self.exchange.invitations.append(server_id)
        return server_id, self.exchange.touch(record_type, server_id)

    async def update(
        self, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
    ) -> str | None:
        self._maybe_fail()
        stored = self.exchange.of(record_type)[server_id]
        if change_key != stored.change_key:
            raise TransientError("the item changed meanwhile", code="change_key_stale")
        stored.values.update(values)
        return self.exchange.touch(record_type, server_id)

    async def delete(self, record_type: RecordType, server_id: str, change_key: str | None) -> None:
        self._maybe_fail()
        self.exchange.remove(record_type, server_id)

    async def test(self) -> ConnectionTest:
        return ConnectionTest(())

    async def close(self) -> None:
        pass
