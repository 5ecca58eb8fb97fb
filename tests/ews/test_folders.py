"""Folders through exchangelib: FindFolder, creating folders, and hierarchy sync that follows renames by id."""

from __future__ import annotations

from exchangelib.folders import Folder

from ews.fixtures import ALICE, AccountFactory
from ews.server import EwsServer


def test_subfolders_of_the_inbox_are_found(ews_server: EwsServer, ews_account: AccountFactory):
    projects = ews_server.create_folder(ALICE, "Projects")
    ews_server.create_folder(ALICE, "Alpha", parent="inbox/Projects")
    account = ews_account()

    children = list(account.inbox.children)
    assert [(f.name, f.id) for f in children] == [("Projects", projects)]
    assert [f.name for f in (account.inbox / "Projects").children] == ["Alpha"]
    names = {f.name for f in account.inbox.walk()}
    assert names == {"Projects", "Alpha"}
    assert "FindFolder" in ews_server.stats.requests


def test_the_whole_tree_resolves_with_missing_well_known_folders(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    # Listing the root asks GetFolder for ~50 well-known folders; the ones a mailbox lacks answer
    # ErrorFolderNotFound, as on a real server, and exchangelib skips them.
    names = {f.name for f in account.root.walk()}
    assert {"Inbox", "Sent Items", "Calendar", "Contacts", "Tasks", "Deleted Items"} <= names
    assert account.calendar.name == "Calendar"
    assert account.contacts.name == "Contacts"
    assert account.tasks.name == "Tasks"


def test_create_folder_through_exchangelib(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    folder = Folder(parent=account.inbox, name="Tracked")
    folder.save()
    assert ews_server.folder(ALICE, "inbox/Tracked").id == folder.id
    folder.name = "Tracked by CRM"
    folder.save(update_fields=["name"])
    assert ews_server.folder(ALICE, "inbox/Tracked by CRM").id == folder.id
    folder.delete()
    assert [f.name for f in ews_server.folder(ALICE, "inbox").children()] == []


def test_hierarchy_sync_reports_a_rename_under_the_same_folder_id(ews_server: EwsServer, ews_account: AccountFactory):
    folder_id = ews_server.create_folder(ALICE, "Customers")
    account = ews_account()
    root = account.msg_folder_root

    first = list(root.sync_hierarchy())
    assert ("create", "Customers") in [(change, f.name) for change, f in first]
    state = root.folder_sync_state

    ews_server.rename_folder(folder_id, "Key Customers")
    other = ews_server.create_folder(ALICE, "Suppliers")
    changes = {f.id: (change, f.name) for change, f in root.sync_hierarchy(sync_state=state)}
    assert changes[folder_id] == ("update", "Key Customers")
    assert changes[other] == ("create", "Suppliers")
    # The Inbox changed too (its child count did), as on Exchange; nothing else did.
    assert set(changes) == {folder_id, other, ews_server.folder(ALICE, "inbox").id}

    state = root.folder_sync_state
    ews_server.delete_folder(other)
    ((change, gone),) = root.sync_hierarchy(sync_state=state)
    assert (change, gone.id) == ("delete", other)
    state = root.folder_sync_state
    assert list(root.sync_hierarchy(sync_state=state)) == []


def test_a_folder_moved_elsewhere_keeps_its_id(ews_server: EwsServer, ews_account: AccountFactory):
    folder_id = ews_server.create_folder(ALICE, "Deals")
    ews_server.create_folder(ALICE, "Archive")
    ews_server.move_folder(folder_id, "inbox/Archive")
    account = ews_account()
    moved = account.inbox / "Archive" / "Deals"
    assert moved.id == folder_id
