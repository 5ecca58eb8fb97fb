"""Exchange items carry what the engine did with them: the profile's category on each mail tracked,
"Undeliverable" on one that cannot be tracked when the profile asks for it; set up with --impersonation."""

from __future__ import annotations

from pathlib import Path

import pytest
from ews.fixtures import ALICE, PASSWORDS, SERVICE
from ews.server import EwsServer
from support.cli_admin import Admin, mail


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


def configure(admin: Admin, server: EwsServer, *options: str) -> dict[str, object]:
    channels = admin.exchange_mailbox(server.url, PASSWORDS[SERVICE], ALICE, *options, tracking="all")
    assert channels["incoming"]["enabled"], channels
    [profile] = admin.json("profile", "list")
    return profile


def categories(server: EwsServer, item_id: str) -> list[str]:
    holder = server.item(item_id).props.get("Categories")
    return [] if holder is None else [s.text or "" for s in holder]


UNREADABLE = b"\r\n\r\nnot a mail: no header at all\r\n"


def test_tracked_mail_gets_the_category_and_failures_undeliverable(admin: Admin, ews_server: EwsServer) -> None:
    profile = configure(admin, ews_server, "--tracked-category", "In CRM", "--tag-undeliverable")
    assert (profile["impersonation"], profile["credentials_on"], profile["login"]) == (True, "profile", "svc")
    assert (profile["tracked_category"], profile["tag_undeliverable"]) == ("In CRM", True)
    good = ews_server.deliver(ALICE, mail(1, ALICE))
    bad = ews_server.deliver(ALICE, UNREADABLE)
    admin("engine", "run", "--once")
    assert [a["subject"] for a in admin.json("email", "list")] == ["order 1"]
    [failed] = admin.json("failed", "list")
    assert failed["code"] == "malformed_message", failed
    assert categories(ews_server, good) == ["In CRM"]
    assert categories(ews_server, bad) == ["Undeliverable"]


def test_by_default_the_category_is_tracked_to_crm_and_failures_stay_untagged(
    admin: Admin, ews_server: EwsServer
) -> None:
    configure(admin, ews_server)
    good = ews_server.deliver(ALICE, mail(1, ALICE))
    bad = ews_server.deliver(ALICE, UNREADABLE)
    admin("engine", "run", "--once")
    assert categories(ews_server, good) == ["Tracked to CRM"]
    assert categories(ews_server, bad) == []


def test_an_empty_category_writes_none(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server, "--tracked-category", "")
    good = ews_server.deliver(ALICE, mail(1, ALICE))
    admin("engine", "run", "--once")
    assert categories(ews_server, good) == []


def test_impersonation_is_for_exchange_only(admin: Admin) -> None:
    code, _, err = admin(
        "profile",
        "add",
        "Mail",
        "--kind",
        "imap",
        "--incoming-host",
        "mail.example.test",
        "--impersonation",
        ok=False,
    )
    assert code == 2 and "error: --impersonation: only Exchange" in err, err
    assert admin.json("profile", "list") == []
