"""Settings declared once: each value checked against its kind and range, stored values read tolerantly."""

from __future__ import annotations

import pytest

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.settings import (
    SPECS,
    EngineLimits,
    LocalSettings,
    as_values,
    check,
    check_all,
    limits_from,
    local_from,
)


def test_every_declared_setting_has_a_field_and_its_default_there() -> None:
    defaults = {**as_values(EngineLimits()), **as_values(LocalSettings())}
    assert {spec.key for spec in SPECS} == set(defaults)
    for spec in SPECS:
        assert defaults[spec.key] == spec.default, spec.key
        assert check(spec.key, spec.default) == spec.default


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("items_per_cycle", "200", 200),
        ("items_per_cycle", 10_000, 10_000),
        ("smart_matching", "yes", True),
        ("smart_matching", "OFF", False),
        ("log_level", "DEBUG", "debug"),
        ("language", "fr", "fr"),
        ("store", "postgresql://crm@db.example.test/crm", "postgresql://crm@db.example.test/crm"),
        ("store", "~/crm.sqlite3", "~/crm.sqlite3"),
        ("store", "", ""),
    ],
)
def test_values_are_made_the_settings_type(key: str, raw: object, expected: object) -> None:
    assert check(key, raw) == expected


@pytest.mark.parametrize(
    ("key", "raw", "says"),
    [
        ("items_per_cycle", "9", "9 is outside 10-10000 (default 500)"),
        ("backoff_seconds", "100000", "100000 s is outside 10-86400 s"),
        ("mailbox_workers", "many", "is not a whole number"),
        ("mailbox_workers", True, "is not a whole number"),
        ("smart_matching", "perhaps", "is not true or false"),
        ("log_level", "verbose", "is not one of: debug, info, warning, error"),
        ("language", "de", "is not one of: system, en, fr"),
        ("store", "postgresql://crm:hunter2@db/crm", "no password in the store location"),
        ("store", "mysql://db/crm", "not supported"),
    ],
)
def test_bad_values_are_refused_on_their_key(key: str, raw: object, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check(key, raw)
    assert list(caught.value.errors) == [key]
    assert says in caught.value.errors[key]


def test_an_unknown_key_names_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        check("workers", 3)
    assert "mailbox_workers" in caught.value.errors["key"]


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        check_all({"items_per_cycle": 1, "max_retries": 0, "language": "en"})
    assert set(caught.value.errors) == {"items_per_cycle", "max_retries"}


def test_stored_values_that_no_longer_fit_fall_back_to_their_default() -> None:
    limits = limits_from({"items_per_cycle": 50, "max_retries": 5000, "unknown": 1})
    assert limits == EngineLimits(items_per_cycle=50)
    assert local_from({"language": "klingon", "start_minimized": True}) == LocalSettings(start_minimized=True)
