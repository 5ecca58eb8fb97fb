"""Settings: engine limits in the store, shared by every engine that starts on it; the rest in the file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop_sync.autostart import XdgAutostart
from desktop_sync.config import ConfigFile, store_location
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.settings import EngineLimits, LocalSettings
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.services.settings import SettingsService, engine_settings
from desktop_sync.store import SqlStore, open_store


@pytest.fixture
def service(store: SqlStore, tmp_path: Path) -> SettingsService:
    return SettingsService(store, ConfigFile(tmp_path / "config" / "settings.json"), XdgAutostart(tmp_path / "auto"))


def test_the_limits_map_onto_the_engines_settings() -> None:
    limits = EngineLimits(
        mailbox_workers=3,
        outgoing_workers=4,
        operation_workers=5,
        max_retries=6,
        backoff_seconds=70,
        items_per_cycle=80,
        attachment_limit_mb=9,
        smart_matching=True,
    )
    base = EngineSettings(tick_seconds=0.5)
    settings = engine_settings(limits, base)
    assert (settings.mailbox_workers, settings.outgoing_workers, settings.operation_workers) == (3, 4, 5)
    assert settings.cycle.retry.max_attempts == 6 and settings.cycle.retry.backoff == 70.0
    assert settings.cycle.items_per_cycle == 80
    assert settings.cycle.attachment_limit == 9 * 1024 * 1024
    assert settings.cycle.smart_matching is True
    assert settings.tick_seconds == 0.5  # what the limits do not cover stays the base's
    assert engine_settings(EngineLimits()) == EngineSettings()


def test_saved_limits_are_what_a_new_engine_starts_with_from_another_connection(
    service: SettingsService, store: SqlStore, tmp_path: Path
) -> None:
    asyncio.run(service.save({"items_per_cycle": "120", "smart_matching": True, "backoff_seconds": 60}))
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    other = open_store(url)
    try:
        settings = asyncio.run(SettingsService(other, ConfigFile(tmp_path / "elsewhere.json")).engine_settings())
    finally:
        asyncio.run(other.close())
    assert settings.cycle.items_per_cycle == 120
    assert settings.cycle.smart_matching is True
    assert settings.cycle.retry.backoff == 60.0
    assert settings.mailbox_workers == EngineSettings().mailbox_workers


def test_bad_input_writes_nothing_anywhere(service: SettingsService, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        asyncio.run(service.save({"items_per_cycle": 100, "log_level": "debug", "store": "postgresql://u:pw@h/db"}))
    assert set(caught.value.errors) == {"store"}
    assert asyncio.run(service.engine_limits()) == EngineLimits()
    assert service.local() == LocalSettings()
    assert not (tmp_path / "config" / "settings.json").exists()


def test_local_settings_go_to_the_file_and_never_to_the_store(service: SettingsService, tmp_path: Path) -> None:
    asyncio.run(service.save({"log_level": "warning", "language": "fr", "start_minimized": True}))
    assert service.local() == LocalSettings(log_level="warning", language="fr", start_minimized=True)
    reread = ConfigFile(tmp_path / "config" / "settings.json").load()
    assert reread == {"language": "fr", "log_level": "warning", "start_minimized": True}
    assert asyncio.run(service.engine_limits()) == EngineLimits()


def test_an_unreadable_settings_file_means_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    assert ConfigFile(path).load() == {}


def test_start_at_login_writes_and_removes_the_autostart_entry(service: SettingsService, tmp_path: Path) -> None:
    entry = tmp_path / "auto" / "desktop-sync.desktop"
    asyncio.run(service.save({}, start_at_login=True))
    assert service.starts_at_login()
    text = entry.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text and "Name=Desktop Sync" in text
    assert "X-GNOME-Autostart-enabled=true" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert "desktop" in exec_line  # this installation's command: desktop-sync, or python -m desktop_sync
    asyncio.run(service.save({}, start_at_login=False))
    assert not entry.exists() and not service.starts_at_login()


def test_the_store_location_comes_after_db_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = LocalSettings(store="/srv/crm.sqlite3")
    monkeypatch.delenv("DESKTOP_SYNC_DB", raising=False)
    assert store_location("sqlite:///given.sqlite3", configured) == "sqlite:///given.sqlite3"
    assert store_location(None, configured) == "/srv/crm.sqlite3"
    assert store_location(None, LocalSettings()) is None
    monkeypatch.setenv("DESKTOP_SYNC_DB", "sqlite:///env.sqlite3")
    assert store_location(None, configured) is None  # open_store takes the environment's
