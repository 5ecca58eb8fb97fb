"""Impersonation: honoured for an account with the right, refused otherwise, and unknown mailboxes named."""

from __future__ import annotations

import pytest
from exchangelib.errors import ErrorAccessDenied, ErrorImpersonateUserDenied, ErrorNonExistentMailbox
from exchangelib.folders import Inbox
from exchangelib.properties import DistinguishedFolderId, Mailbox

from ews.fixtures import ALICE, BOB, SERVICE, AccountFactory
from ews.server import EwsServer


def test_service_account_impersonates_each_mailbox(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.deliver(ALICE, b"Subject: for alice\r\n\r\nx\r\n")
    ews_server.deliver(BOB, b"Subject: for bob\r\n\r\nx\r\n")
    as_alice = ews_account(SERVICE, impersonate=ALICE)
    as_bob = ews_account(SERVICE, impersonate=BOB)

    assert [m.subject for m in as_alice.inbox.all()] == ["for alice"]
    assert [m.subject for m in as_bob.inbox.all()] == ["for bob"]
    assert ews_server.stats.count("FindItem", mailbox=ALICE) == 1
    assert ews_server.stats.count("FindItem", mailbox=BOB) == 1
    assert {record.user for record in ews_server.stats.log} == {SERVICE}


def test_impersonation_without_the_right_is_denied(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(BOB, impersonate=ALICE)
    with pytest.raises(ErrorImpersonateUserDenied):
        _ = account.inbox


def test_impersonating_an_unknown_mailbox(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(SERVICE, impersonate="nobody@example.test")
    with pytest.raises(ErrorNonExistentMailbox):
        _ = account.inbox


def test_another_users_folder_without_impersonation_is_denied(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(BOB)
    foreign = Inbox(
        root=account.root,
        _distinguished_id=DistinguishedFolderId(id="inbox", mailbox=Mailbox(email_address=ALICE)),
    )
    with pytest.raises(ErrorAccessDenied):
        foreign.all().count()
    missing = Inbox(
        root=account.root,
        _distinguished_id=DistinguishedFolderId(id="inbox", mailbox=Mailbox(email_address="ghost@example.test")),
    )
    with pytest.raises(ErrorNonExistentMailbox):
        missing.all().count()
