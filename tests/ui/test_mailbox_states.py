"""The Mailboxes view names every state honestly, in English and French, with its dot's colour."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import (
    ApprovalState,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    Endpoint,
    Mailbox,
    MailboxId,
    MailboxState,
    Profile,
    ProfileId,
    ProfileKind,
    Security,
    SyncMethod,
    SyncStatus,
)
from desktop_sync.engine.events import CycleStarted, ImportProgress, ItemsSynced
from desktop_sync.services.mailboxes import MailboxView, Owner
from desktop_sync.services.monitoring import StatusView
from desktop_sync.ui.mailboxes_model import STATE_COLOURS, STATE_ROLE, Column
from desktop_sync.ui.main_window import View
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators
from desktop_sync.ui.tray import TrayController, TrayIcon, TrayState
from tests.ui.conftest import save_grab

pytestmark = pytest.mark.gui
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
PROFILE = Profile("Corp", ProfileKind.EXCHANGE, Endpoint("mail.example.test", 443, Security.TLS), id=ProfileId(1))
ON = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS, tested_at=NOW)
OFF = dataclasses.replace(ON, enabled=False)
UNTESTED = ChannelState(SyncMethod.SERVER_SIDE)
FAILED = ChannelState(SyncMethod.SERVER_SIDE, False, ConnectionTestStatus.FAILURE, "auth_failed", NOW)
ALL_UNTESTED: dict[str, object] = {"incoming": UNTESTED, "outgoing": UNTESTED, "act": UNTESTED}
ALL_OFF: dict[str, object] = {"incoming": OFF, "outgoing": OFF, "act": OFF}

# name, mailbox changes, status changes, the state expected
CASES: list[tuple[str, dict[str, object], dict[str, object], DisplayState]] = [
    ("pending", {"approval": ApprovalState.PENDING, **ALL_UNTESTED}, {}, DisplayState.PENDING_APPROVAL),
    ("untested", ALL_UNTESTED, {}, DisplayState.NOT_TESTED),
    ("switched-off", ALL_OFF, {"last_sync_at": NOW - dt.timedelta(days=2)}, DisplayState.DISABLED),
    (
        "signin",
        {},
        {"state": MailboxState.DISABLED, "last_error_code": "sign_in_required", "last_error": "consent expired"},
        DisplayState.NEEDS_SIGN_IN,
    ),
    (
        "refused",
        {"incoming": FAILED},
        {"state": MailboxState.DISABLED, "last_error_code": "auth_failed", "last_error": "LOGIN refused"},
        DisplayState.NEEDS_ATTENTION,
    ),
    (
        "busy",
        {},
        {
            "state": MailboxState.BACKING_OFF,
            "last_sync_at": NOW,
            "backoff_until": NOW + dt.timedelta(minutes=5),
            "last_error_code": "server_busy",
            "last_error": "too many connections",
        },
        DisplayState.BACKING_OFF,
    ),
    ("importing", {}, {}, DisplayState.IMPORTING),
    ("idle", {}, {"last_sync_at": NOW, "next_sync_at": NOW + dt.timedelta(minutes=4)}, DisplayState.IDLE),
]


def views() -> tuple[list[MailboxView], list[StatusView]]:
    mailbox_views, statuses = [], []
    for n, (name, mailbox, status, _state) in enumerate(CASES, start=1):
        fields = {"approval": ApprovalState.APPROVED, "incoming": ON, "outgoing": ON, "act": ON} | mailbox
        box = Mailbox(f"{name}@example.test", ProfileId(1), id=MailboxId(n), **fields)  # type: ignore[arg-type]
        owner = Owner("user", f"{name}@example.test", name.title())
        mailbox_views.append(MailboxView(box, PROFILE, owner, None, True))
        statuses.append(StatusView(box, SyncStatus(MailboxId(n), **status)))  # type: ignore[arg-type]
    return mailbox_views, statuses


@pytest.fixture(params=["en", "fr"])
def language(request, qapp) -> Iterator[str]:
    previous = QLocale()
    _language, translators = install_translators(qapp, {LANGUAGE_ENV: request.param})
    yield request.param
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(previous)


EXPECTED = {
    "en": {
        DisplayState.PENDING_APPROVAL: "Pending approval",
        DisplayState.NOT_TESTED: "Not tested",
        DisplayState.DISABLED: "Disabled",
        DisplayState.NEEDS_SIGN_IN: "Needs sign-in",
        DisplayState.NEEDS_ATTENTION: "Needs attention",
        DisplayState.BACKING_OFF: "Backing off (until ",
        DisplayState.IMPORTING: "Importing (2,500 of 10,000, about 1 min left)",
        DisplayState.IDLE: "Idle (next sync at ",
    },
    "fr": {
        DisplayState.PENDING_APPROVAL: "En attente d'approbation",
        DisplayState.NOT_TESTED: "Non testée",
        DisplayState.DISABLED: "Désactivée",
        DisplayState.NEEDS_SIGN_IN: "Connexion requise",
        DisplayState.NEEDS_ATTENTION: "Intervention requise",
        DisplayState.BACKING_OFF: "En attente de nouvel essai (jusqu'à ",
        DisplayState.IMPORTING: "Importation en cours (2\u202f500 sur 10\u202f000, encore environ 1 min)",
        DisplayState.IDLE: "À jour (prochaine synchronisation à ",
    },
}


def test_every_state_reads_as_a_state_with_its_own_dot(language, make_window, qtbot, tmp_path):
    window = make_window(has_profiles=True)
    page = window.mailboxes_page
    clock = [100.0]
    page.model._clock = lambda: clock[0]
    page.model.load(*views())
    importing = MailboxId(next(n for n, case in enumerate(CASES, start=1) if case[0] == "importing"))
    page.model.on_cycle_started(CycleStarted(importing, "importing@example.test", NOW))
    page.model.on_items_synced(ItemsSynced(importing, "importing@example.test", Channel.INCOMING, 500))
    clock[0] += 20
    page.model.on_import_progress(ImportProgress(importing, "importing@example.test", 2500, 10_000))
    page.model.flush()
    window.show_view(View.MAILBOXES)
    window.resize(1366, 768)
    page.size_columns()

    model = page.model
    for row, (name, _mailbox, _status, state) in enumerate(CASES):
        index = model.index(row, Column.STATE)
        assert index.data(STATE_ROLE) is state, name
        text = index.data()
        expected = EXPECTED[language][state]
        if expected.endswith(" "):
            assert text.startswith(expected) and text.endswith(")"), (name, text)
        else:
            assert text.replace("\u00a0", "\u202f") == expected, (name, text)
        dot = index.data(Qt.ItemDataRole.DecorationRole).pixmap(12, 12).toImage().pixelColor(6, 6)
        assert dot.name() == STATE_COLOURS[state].name(), name
        green = dot.green() > 100 and dot.red() < 80
        assert green == (state in (DisplayState.IDLE, DisplayState.IMPORTING)), name
    assert model.index(CASES.index(CASES[0]), Column.NEXT_SYNC).data() == "—"  # pending: no next sync

    tray = TrayIcon()
    controller = TrayController(tray, model)
    controller.refresh()
    assert tray.state() is TrayState.ERROR  # a mailbox needs attention
    detail = tray.tool_tip().splitlines()[1]
    assert EXPECTED[language][DisplayState.PENDING_APPROVAL].lower() in detail
    tray.hide()
    save_grab(window, tmp_path / f"mailbox-states-{language}.png")


FAILED_EXPECTED = {
    "en": ["Quarterly figures", "(no subject)", "A message in INBOX/Projects", "Review with Contoso"],
    "fr": ["Quarterly figures", "(sans objet)", "Un message dans INBOX/Projects", "Review with Contoso"],
}


def test_failed_items_are_named_by_subject_sender_and_date(language, ui, run, qtbot, tmp_path):
    from desktop_sync.domain.model import FailedItem
    from desktop_sync.ui.failed_items_view import FailedItemsPage

    async def seed() -> None:
        await ui.profile()
        await ui.context.mailboxes.add("alice@example.test", "Corp")
        async with ui.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address("alice@example.test")
            assert mailbox is not None and mailbox.id is not None
            for n, (channel, ref, folder, subject, sender, when) in enumerate(
                [
                    (Channel.INCOMING, "INBOX;7;4250", "INBOX", "Quarterly figures", "Dan <dan@customer.test>", NOW),
                    (Channel.INCOMING, "INBOX;7;4251", "INBOX", None, None, NOW - dt.timedelta(days=1)),
                    (Channel.INCOMING, "INBOX/Projects;3;12", "INBOX/Projects", None, None, None),
                    (Channel.ACT, "AAMkAGI2TG93AAA=", None, "Review with Contoso", None, NOW + dt.timedelta(days=1)),
                ]
            ):
                await tx.failed_items.record(
                    FailedItem(
                        mailbox.id,
                        channel,
                        ref,
                        "malformed_message" if channel is Channel.INCOMING else "act_no_organizer",
                        "no From header" if channel is Channel.INCOMING else "no organizer",
                        folder,
                        subject=subject,
                        sender=sender,
                        item_date=when,
                        last_failed_at=NOW - dt.timedelta(minutes=n),
                    )
                )

    run(seed())
    page = FailedItemsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    names = [page.model.index(row, 0).data() for row in range(page.model.rowCount())]
    assert names == FAILED_EXPECTED[language]
    shown = " ".join(
        str(page.model.index(r, c).data())
        for r in range(page.model.rowCount())
        for c in range(page.model.columnCount())
    )
    assert "4250" not in shown and "AAMk" not in shown and ";" not in shown  # server references stay in tooltips
    assert "INBOX;7;4250" in page.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    page.resize(1366, 300)
    save_grab(page, tmp_path / f"failed-items-{language}.png")
