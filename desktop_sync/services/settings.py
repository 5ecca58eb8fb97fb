"""Application settings for the Settings dialog and ``desktop-sync settings``: engine limits in the
store, the rest in the local settings file, start at login as an autostart entry.

Engines read their limits when they start (``engine_settings``), so a change applies at the next
start of the application or of ``desktop-sync engine run``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from desktop_sync.domain.act import SafetyLimits
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.ports import Autostart, LocalConfig, Store
from desktop_sync.domain.ports.connectors import CalendarWindow
from desktop_sync.domain.retry import RetryPolicy
from desktop_sync.domain.settings import (
    SPECS,
    EngineLimits,
    LocalSettings,
    Scope,
    Spec,
    Value,
    as_values,
    check_all,
    limits_from,
    local_from,
    spec,
)
from desktop_sync.engine.engine import EngineSettings

MEGABYTE = 1024 * 1024


def engine_settings(limits: EngineLimits, base: EngineSettings | None = None) -> EngineSettings:
    """``base`` (the defaults when None) with the limits the store holds."""
    base = base or EngineSettings()
    cycle = dataclasses.replace(
        base.cycle,
        items_per_cycle=limits.items_per_cycle,
        attachment_limit=limits.attachment_limit_mb * MEGABYTE,
        smart_matching=limits.smart_matching,
        retry=RetryPolicy(backoff=float(limits.backoff_seconds), max_attempts=limits.max_retries),
    )
    act = dataclasses.replace(
        base.act,
        safety=SafetyLimits(percent=limits.act_safety_percent, minimum=limits.act_safety_min),
        calendar=CalendarWindow(limits.act_calendar_days_back, limits.act_calendar_days_ahead),
    )
    return dataclasses.replace(
        base,
        mailbox_workers=limits.mailbox_workers,
        outgoing_workers=limits.outgoing_workers,
        operation_workers=limits.operation_workers,
        lease_ttl_seconds=float(limits.lease_seconds),
        cycle=cycle,
        act=act,
    )


@dataclass(frozen=True, slots=True)
class SettingValue:
    spec: Spec
    value: Value
    where: str  # the store's label or the settings file's path


class SettingsService:
    def __init__(self, store: Store | None, local: LocalConfig, autostart: Autostart | None = None):
        self._store = store
        self._local = local
        self._autostart = autostart

    def _needs_store(self) -> Store:
        if self._store is None:
            raise DesktopSyncError("the store is not open: engine limits cannot be read or saved", code="no_store")
        return self._store

    async def engine_limits(self) -> EngineLimits:
        async with self._needs_store().transaction() as tx:
            return limits_from(await tx.app_settings.all())

    async def engine_settings(self, base: EngineSettings | None = None) -> EngineSettings:
        """What an engine starting now runs with."""
        return engine_settings(await self.engine_limits(), base)

    def local(self) -> LocalSettings:
        return local_from(self._local.load())

    @property
    def local_location(self) -> str:
        return self._local.location

    @property
    def store_label(self) -> str:
        return self._store.label if self._store is not None else ""

    @property
    def can_start_at_login(self) -> bool:
        return self._autostart is not None

    def starts_at_login(self) -> bool:
        return self._autostart is not None and self._autostart.is_enabled()

    async def values(self) -> list[SettingValue]:
        """Every setting with its current value, in declaration order."""
        stored = as_values(await self.engine_limits())
        local = as_values(self.local())
        shown = []
        for declared in SPECS:
            if declared.scope is Scope.STORE:
                shown.append(SettingValue(declared, stored[declared.key], self.store_label))
            else:
                shown.append(SettingValue(declared, local[declared.key], self._local.location))
        return shown

    async def save(self, values: Mapping[str, object], *, start_at_login: bool | None = None) -> None:
        """Check every value first (all problems at once, keyed by setting), then write: nothing on bad input."""
        checked = check_all(values)
        store_values = {k: v for k, v in checked.items() if spec(k).scope is Scope.STORE}
        local_values = {k: v for k, v in checked.items() if spec(k).scope is Scope.LOCAL}
        if store_values:
            async with self._needs_store().transaction() as tx:
                await tx.app_settings.put(store_values)
        if local_values:
            merged: dict[str, object] = {**self._local.load(), **local_values}
            self._local.save(merged)
        autostart = self._autostart
        if start_at_login is not None and autostart is not None and start_at_login != autostart.is_enabled():
            autostart.set_enabled(start_at_login)

    async def set(self, key: str, raw: str) -> Value:
        """One setting from its text (the command line's ``settings set KEY VALUE``)."""
        spec(key)
        checked = check_all({key: raw})
        await self.save(checked)
        return checked[key]

    async def save_limits(self, limits: EngineLimits) -> None:
        await self.save(as_values(limits))

    def save_local(self, settings: LocalSettings) -> None:
        checked = check_all(as_values(settings))
        self._local.save({**self._local.load(), **checked})
