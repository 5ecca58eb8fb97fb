"""What the composition root hands the windows: the services they call and the bridge they listen to."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_sync.services.act import ActService
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.connection_test import ConnectionTestService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.folders import FolderService
from desktop_sync.services.hosts import HostsService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.migration import MigrationService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.settings import SettingsService
from desktop_sync.services.signin import SignInService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.ui.bridge import EngineBridge


@dataclass(frozen=True)
class UiContext:
    profiles: ProfileService
    directory: DirectoryService
    mailboxes: MailboxService
    monitoring: MonitoringService
    connection_test: ConnectionTestService
    sync: SyncControl
    bridge: EngineBridge
    act: ActService
    migration: MigrationService | None = None  # the E-mail Router migration wizard's service
    # None where the composition root has none: no settings file, no connectors to read folders with
    settings: SettingsService | None = None
    sync_filters: SyncFilterService | None = None
    folders: FolderService | None = None
    activities: ActivityService | None = None
    signin: SignInService | None = None  # OAuth 2.0 sign-in: None where no identity broker was composed
    hosts: HostsService | None = None  # the engine hosts on the store (the Engines view)
