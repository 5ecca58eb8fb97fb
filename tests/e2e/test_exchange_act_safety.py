"""End to end on the EWS test server, as an admin drives it with the CLI: a mass change is held by the
safety stop until `act confirm`, which runs it once; a record deleted with `contact delete` deletes
its Exchange item; `contact set` changes a record, or refuses bad input on one line and writes nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from ews.fixtures import ALICE, PASSWORDS, SERVICE
from ews.server import EwsServer
from support.cli_admin import Admin

from desktop_sync.domain.model import Channel
from desktop_sync.store import open_store

WRITES = ("CreateItem", "UpdateItem", "DeleteItem")


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


def cycle(admin: Admin) -> None:
    admin("sync", "now", ALICE)
    admin("engine", "run", "--once")


def contacts(admin: Admin) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.json("contact", "list")
    return found


def safety_alerts(admin: Admin) -> list[dict[str, Any]]:
    return [a for a in admin.json("alerts", "list") if a["code"] == "act_safety_stop"]


def test_a_mass_unlink_waits_for_act_confirm_which_runs_it_once(admin: Admin, ews_server: EwsServer) -> None:
    channels = admin.exchange_mailbox(ews_server.url, PASSWORDS[SERVICE], ALICE)
    assert channels["act"]["enabled"]
    admin("filter", "add", ALICE, "--type", "contact", "--name", "Customers", "--rule", "company not_empty")
    for n in range(8):
        admin("contact", "add", "--user", ALICE, "--first-name", f"Carol {n}", "--company", "Contoso")
    cycle(admin)
    assert len(ews_server.items(ALICE, "contacts")) == 8
    ids = [c["id"] for c in contacts(admin)]

    # Nothing waits yet.
    code, out, _ = admin("act", "confirm", ALICE, ok=False)
    assert code == 3 and "Nothing waits" in out

    # Six of eight leave the filter at once: held, with a warning that says what and how to go on.
    for record_id in ids[:6]:
        admin("contact", "set", str(record_id), "company=")
    ews_server.stats.reset()
    cycle(admin)
    assert all(c["linked"] for c in contacts(admin))
    assert not any(ews_server.stats.count(op) for op in WRITES)
    [alert] = safety_alerts(admin)
    assert alert["severity"] == "warning" and alert["mailbox"] == ALICE
    assert "unlink 6" in alert["cause"] and "6 of 8 links" in alert["cause"]
    assert f"desktop-sync act confirm {ALICE} --type contact" in alert["fix"]
    dry = admin.json("sync", "now", ALICE, "--dry-run")
    assert dry["held"] == {
        "contact": {"reason": "crm_mass_removal", "waiting": True, "counts": {"Unlink": 6}, "links": 8}
    }
    code, out, _ = admin("sync", "now", ALICE, "--dry-run")
    assert "held by the safety stop" in out and f"act confirm {ALICE} --type contact" in out

    # Bad input: exit 2, one line.
    for argv in (("act", "confirm", "nobody@example.test"), ("act", "confirm", ALICE, "--type", "lead")):
        code, out, err = admin(*argv, ok=False)
        assert code == 2 and err.count("\n") == 1, (argv, err)

    # Confirmed: run once; the items stay in Exchange; the alert is gone; nothing waits any more.
    code, out, _ = admin("act", "confirm", ALICE, "--type", "contact")
    assert code == 0 and "contacts: applied once: unlink 6" in out, out
    assert [c["linked"] for c in contacts(admin)] == [False] * 6 + [True] * 2
    assert len(ews_server.items(ALICE, "contacts")) == 8
    assert safety_alerts(admin) == []
    assert admin("act", "confirm", ALICE, ok=False)[0] == 3
    ews_server.stats.reset()
    cycle(admin)
    assert not any(ews_server.stats.count(op) for op in WRITES)

    # A record deleted through the CLI deletes its Exchange item (one of two links: no stop).
    admin("contact", "delete", str(ids[7]))
    cycle(admin)
    names = sorted(item.text("GivenName") for item in ews_server.items(ALICE, "contacts"))
    assert names == [f"Carol {n}" for n in range(7)]
    assert ews_server.stats.count("DeleteItem") == 1


def test_contact_set_changes_a_record_and_refuses_bad_input(admin: Admin, ews_server: EwsServer) -> None:
    admin.exchange_mailbox(ews_server.url, PASSWORDS[SERVICE], ALICE)
    admin("filter", "add", ALICE, "--type", "contact", "--name", "Customers", "--rule", "company not_empty")
    admin("contact", "add", "--user", ALICE, "--first-name", "Carol", "--company", "Contoso")
    cycle(admin)
    [carol] = contacts(admin)
    for bad in (("colour=red",), ("email=not-an-address",), ("company",), ("job_title=Buyer", "phone=" + "9" * 60)):
        code, _, err = admin("contact", "set", str(carol["id"]), *bad, ok=False)
        assert code == 2 and err.count("\n") == 1, (bad, err)
    assert contacts(admin) == [carol]  # nothing written
    assert admin("contact", "set", "999", "company=X", ok=False)[0] == 2
    admin("contact", "set", str(carol["id"]), "job_title=Buyer", "email=Carol@Contoso.test")
    cycle(admin)
    [item] = ews_server.items(ALICE, "contacts")
    assert item.text("JobTitle") == "Buyer"


def test_a_folder_found_empty_when_the_server_forgot_our_sync_state_is_held(
    admin: Admin, ews_server: EwsServer
) -> None:
    admin.exchange_mailbox(ews_server.url, PASSWORDS[SERVICE], ALICE)
    admin("filter", "add", ALICE, "--type", "contact", "--name", "Customers", "--rule", "company not_empty")
    for name in ("Carol", "Dan"):
        admin("contact", "add", "--user", ALICE, "--first-name", name, "--company", "Contoso")
    cycle(admin)
    for item in ews_server.items(ALICE, "contacts"):
        ews_server.delete_item(item.id)
    forget_sync_states(admin)  # e.g. a mailbox move: the server reads the folder again from the start
    ews_server.stats.reset()
    cycle(admin)
    assert all(c["linked"] for c in contacts(admin))
    assert not any(ews_server.stats.count(op) for op in WRITES)
    [alert] = safety_alerts(admin)
    assert "Exchange reports no item at all" in alert["cause"] and "unlink 2" in alert["cause"]
    code, out, _ = admin("act", "confirm", ALICE)
    assert code == 0 and "contacts: applied once: unlink 2, create 2 in Exchange." in out, out
    assert sorted(i.text("GivenName") for i in ews_server.items(ALICE, "contacts")) == ["Carol", "Dan"]
    assert all(c["linked"] for c in contacts(admin))


def forget_sync_states(admin: Admin) -> None:
    """What a server that no longer knows our SyncStates makes of our cursors."""

    async def forget() -> None:
        store = open_store(admin.db)
        try:
            async with store.transaction() as tx:
                mailbox = await tx.mailboxes.by_address(ALICE)
                assert mailbox is not None and mailbox.id is not None
                for kind in ("appointment", "contact", "task"):
                    await tx.cursors.set(mailbox.id, Channel.ACT, kind, "act1:Zm9yZ290dGVu")
        finally:
            await store.close()

    asyncio.run(forget())
