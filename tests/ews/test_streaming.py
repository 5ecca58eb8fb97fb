"""Streaming notifications: Subscribe, GetStreamingEvents over one open chunked response, Unsubscribe."""

from __future__ import annotations

import threading
import time

import pytest
from exchangelib.errors import ErrorSubscriptionNotFound
from exchangelib.properties import CreatedEvent, NewMailEvent, StatusEvent

from ews.fixtures import ALICE, AccountFactory
from ews.server import EwsServer


def test_new_mail_arrives_within_two_seconds(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    subscription_id = account.inbox.subscribe_to_streaming()
    delivered_at: list[float] = []

    def deliver_later() -> None:
        time.sleep(0.3)
        delivered_at.append(time.monotonic())
        ews_server.deliver(ALICE, b"Subject: pushed\r\n\r\nx\r\n")

    sender = threading.Thread(target=deliver_later)
    sender.start()
    (notification,) = account.inbox.get_streaming_events(
        subscription_id, connection_timeout=1, max_notifications_returned=1
    )
    received_at = time.monotonic()
    sender.join()
    kinds = {type(event) for event in notification.events}
    assert {NewMailEvent, CreatedEvent} <= kinds
    new_mail = next(e for e in notification.events if isinstance(e, NewMailEvent))
    assert new_mail.item_id.id == ews_server.items(ALICE)[0].id
    assert received_at >= delivered_at[0]  # pushed after the delivery, not found by a later poll
    account.inbox.unsubscribe(subscription_id)
    assert ews_server.store.subscriptions == {}


def test_the_stream_closes_after_its_connection_timeout(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.minute_seconds = 0.6  # ConnectionTimeout is in minutes; shorten them for the test
    account = ews_account()
    subscription_id = account.inbox.subscribe_to_streaming(event_types=["NewMailEvent"])
    started = time.monotonic()
    notifications = list(account.inbox.get_streaming_events(subscription_id, connection_timeout=1))
    elapsed = time.monotonic() - started
    assert elapsed > 0.5  # held open until the (shortened) connection time-out, then closed
    assert all(not n.events or all(isinstance(e, StatusEvent) for e in n.events) for n in notifications)
    assert ews_server.stats.connections_open <= 1


def test_events_queue_between_connections(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.minute_seconds = 0.3
    account = ews_account()
    subscription_id = account.inbox.subscribe_to_streaming(event_types=["NewMailEvent", "ModifiedEvent"])
    item_id = ews_server.deliver(ALICE, b"Subject: while away\r\n\r\nx\r\n")
    ews_server.mark_read(item_id)
    events = [
        event
        for notification in account.inbox.get_streaming_events(subscription_id, connection_timeout=1)
        for event in notification.events
    ]
    assert [type(e).__name__ for e in events] == ["NewMailEvent", "ModifiedEvent"]


def test_unknown_subscription(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    with pytest.raises(ErrorSubscriptionNotFound):
        list(account.inbox.get_streaming_events("4f0a5b8e-0000-0000-0000-000000000000", connection_timeout=1))
    with pytest.raises(ErrorSubscriptionNotFound):
        account.inbox.unsubscribe("4f0a5b8e-0000-0000-0000-000000000000")


def test_pull_subscription_get_events(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    subscription_id, watermark = account.inbox.subscribe_to_pull(event_types=["CreatedEvent"])
    ews_server.deliver(ALICE, b"Subject: pulled\r\n\r\nx\r\n")
    (notification,) = account.inbox.get_events(subscription_id, watermark)
    assert [type(e).__name__ for e in notification.events] == ["CreatedEvent"]
    account.inbox.unsubscribe(subscription_id)
