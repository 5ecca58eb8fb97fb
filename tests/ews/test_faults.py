"""Each injected fault reaches exchangelib as the exception a real Exchange fault would raise."""

from __future__ import annotations

import time

import pytest
from exchangelib import FaultTolerance
from exchangelib.errors import (
    ErrorImpersonateUserDenied,
    ErrorInvalidSyncStateData,
    ErrorNonExistentMailbox,
    ErrorServerBusy,
    ErrorTimeoutExpired,
    SOAPError,
    UnauthorizedError,
)

from ews.faults import DROP, HTTP_401, HTTP_503, SLOW
from ews.fixtures import ALICE, BOB, SERVICE, AccountFactory
from ews.server import EwsServer


def test_server_busy_carries_the_back_off(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("GetFolder", "ErrorServerBusy", back_off_ms=1500)
    account = ews_account()
    with pytest.raises(ErrorServerBusy) as caught:
        _ = account.inbox
    assert caught.value.back_off == 1.5


def test_server_busy_is_retried_after_the_back_off_under_fault_tolerance(
    ews_server: EwsServer, ews_account: AccountFactory
):
    ews_server.faults.next("GetFolder", "ErrorServerBusy", back_off_ms=300)
    account = ews_account(retry_policy=FaultTolerance(max_wait=5))
    started = time.monotonic()
    assert account.inbox.name == "Inbox"
    assert time.monotonic() - started >= 0.3
    assert ews_server.stats.count("GetFolder") == 3  # busy, then root again, then inbox


def test_invalid_sync_state_injected_and_real(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    ews_server.faults.next("SyncFolderItems", "ErrorInvalidSyncStateData")
    with pytest.raises(ErrorInvalidSyncStateData):
        list(account.inbox.sync_items())
    with pytest.raises(ErrorInvalidSyncStateData):
        list(account.inbox.sync_items(sync_state="bm90IGEgc3luYyBzdGF0ZQ=="))
    list(account.inbox.sync_items())
    with pytest.raises(ErrorInvalidSyncStateData):  # a state of another folder
        list(account.sent.sync_items(sync_state=account.inbox.item_sync_state))


def test_http_401_is_an_authentication_error(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("*", HTTP_401)
    account = ews_account()
    with pytest.raises(UnauthorizedError):
        _ = account.inbox


def test_http_503_is_transient_and_honours_retry_after(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("GetFolder", HTTP_503)
    with pytest.raises(ErrorServerBusy, match="503"):
        _ = ews_account().inbox
    ews_server.faults.next("FindItem", HTTP_503, back_off_ms=1000)
    patient = ews_account(BOB, retry_policy=FaultTolerance(max_wait=5))
    started = time.monotonic()
    assert patient.inbox.all().count() == 0
    assert time.monotonic() - started >= 1.0


def test_non_existent_mailbox_and_impersonation_denied(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("GetFolder", "ErrorNonExistentMailbox")
    with pytest.raises(ErrorNonExistentMailbox):
        _ = ews_account().inbox
    ews_server.faults.next("*", "ErrorImpersonateUserDenied", mailbox=BOB)
    assert ews_account(SERVICE, impersonate=ALICE).inbox.name == "Inbox"
    with pytest.raises(ErrorImpersonateUserDenied):
        _ = ews_account(SERVICE, impersonate=BOB).inbox


def test_dropped_connection(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("FindItem", DROP)
    account = ews_account()
    with pytest.raises(ErrorTimeoutExpired):
        account.inbox.all().count()
    assert account.inbox.all().count() == 0  # the next request gets a fresh connection


def test_slow_response_with_a_short_timeout(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("FindItem", SLOW, seconds=3)
    account = ews_account(timeout=0.5)
    _ = account.inbox
    with pytest.raises(ErrorTimeoutExpired):  # the client's 0.5 s, not the server's 3 s stall
        account.inbox.all().count()


def test_an_operation_the_server_lacks_fails_loudly(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    with pytest.raises(SOAPError, match="does not support the GetRoomLists operation"):
        list(account.protocol.get_roomlists())


def test_faults_are_used_once_and_counted(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.faults.next("FindItem", "ErrorServerBusy", count=2)
    account = ews_account()
    for _ in range(2):
        with pytest.raises(ErrorServerBusy):
            account.inbox.all().count()
    assert account.inbox.all().count() == 0
    assert len(ews_server.faults.used) == 2
    assert ews_server.faults.pending == []
