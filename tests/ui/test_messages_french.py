"""The engine's and services' messages in French: the message catalogue covers every template of
domain/messages.py and is compiled, and an alert the engine raised shows in French on the alerts
wall, the notification and the error dialog, with its facts, while English stays as stored."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.messages import LEGACY_TEXT, explain
from desktop_sync.domain.model import Alert, AlertScope, Channel, FailedItem, Severity
from desktop_sync.engine.events import AlertRaised
from desktop_sync.resources import resource_path
from desktop_sync.ui.alerts_view import AlertsPage
from desktop_sync.ui.errors import ErrorDialog, ErrorPresenter, NotificationArea, report_for
from desktop_sync.ui.explanations import (
    CONTEXT,
    FACT_PHRASES,
    FACTS_CONTEXT,
    FIELD_ERRORS_CONTEXT,
    MIGRATION_TEXTS_CONTEXT,
    STEP_TEXTS_CONTEXT,
    field_error_sources,
    message_sources,
    migration_text_sources,
    placeholders,
    step_text_sources,
)
from desktop_sync.ui.failed_items_view import FailedItemsPage
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators
from tests.ui.conftest import save_grab, until

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "update-message-translations"
MESSAGES_TS = resource_path("translations/desktop_sync_messages_fr.ts")
MESSAGES_QM = resource_path("translations/desktop_sync_messages_fr.qm")
SHOTS = Path("/tmp/shots/messages")
ADDRESS = "alice@example.test"
SERVER = "imap.example.test:993"


def shot(widget, name: str, tmp_path: Path) -> Path:
    """Keep the screenshot for the reviewers when the shots folder can be made, else in tmp_path."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        folder = SHOTS
    except OSError:
        folder = tmp_path
    return save_grab(widget, folder / name)


@pytest.fixture(params=["fr", "en"])
def language(request, qapp) -> Iterator[str]:
    previous = QLocale()
    chosen, translators = install_translators(qapp, {LANGUAGE_ENV: request.param})
    assert chosen == request.param
    yield chosen
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(previous)


@pytest.fixture
def french(qapp) -> Iterator[None]:
    previous = QLocale()
    _, translators = install_translators(qapp, {LANGUAGE_ENV: "fr"})
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(previous)


def read_messages(path: Path) -> dict[tuple[str, str], ElementTree.Element]:
    root = ElementTree.parse(path).getroot()
    return {
        (context.findtext("name", ""), message.findtext("source", "")): message
        for context in root.iter("context")
        for message in context.iter("message")
    }


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


# --- the catalogue ---------------------------------------------------------------------------


def test_every_template_has_a_finished_french_translation_keeping_its_placeholders_and_commands():
    messages = read_messages(MESSAGES_TS)
    wanted = [(CONTEXT, source) for source, _ in message_sources()]
    wanted += [(FACTS_CONTEXT, phrase) for phrase in FACT_PHRASES]
    wanted += [(FIELD_ERRORS_CONTEXT, source) for source, _ in field_error_sources()]
    wanted += [(STEP_TEXTS_CONTEXT, source) for source, _ in step_text_sources()]
    wanted += [(MIGRATION_TEXTS_CONTEXT, source) for source, _ in migration_text_sources()]
    assert sorted(messages) == sorted(wanted)  # nothing missing, nothing obsolete
    for (_, source), message in messages.items():
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, source
        french = translation.text or ""
        assert french, source
        assert sorted(placeholders(french)) == sorted(placeholders(source)), source
        for command in re.findall(r"desktop-sync [a-z-]+ [a-z-]+(?: \{?\w+\}?)?", source):
            assert command in french, (source, command)  # CLI commands are quoted as typed
        for option in re.findall(r"--\w+|DESKTOP_SYNC_\w+|https://\S+?(?=[);,]| |$)", source):
            assert option in french, (source, option)
        if source != "{detail}":
            assert french != source, f"not translated: {source}"


def test_the_compiled_catalogue_is_the_ts_as_it_stands():
    """--check: the .ts matches the catalogue and the .qm is lrelease's output of it (byte for
    byte: stronger than comparing dates, which a git checkout does not keep)."""
    result = run_script("--check")
    assert result.returncode == 0, result.stderr
    assert MESSAGES_QM.stat().st_size > 0


def test_the_script_keeps_translations_adds_new_templates_unfinished_and_drops_obsolete_ones(tmp_path):
    ts, qm = tmp_path / "messages.ts", tmp_path / "messages.qm"
    text = MESSAGES_TS.read_text(encoding="utf-8")
    dropped = "No secure keyring"
    text = text.replace(f"<source>{dropped}</source>", "<source>An old title nobody uses</source>")
    ts.write_text(text, encoding="utf-8")

    result = run_script("--ts", str(ts), "--qm", str(qm))
    assert result.returncode == 0, result.stderr
    assert "1 unfinished" in result.stdout and qm.stat().st_size > 0
    messages = read_messages(ts)
    assert (CONTEXT, "An old title nobody uses") not in messages
    assert messages[CONTEXT, dropped].find("translation").get("type") == "unfinished"
    kept = messages[CONTEXT, "The server refused the credentials"].find("translation")
    assert kept.get("type") is None and kept.text == "Le serveur a refusé les identifiants"
    assert run_script("--ts", str(ts), "--qm", str(qm), "--check").returncode == 1


# --- what the admin reads ---------------------------------------------------------------------


async def _alert_from_the_engine(ui) -> Alert:
    """A mailbox enabled by Test & Enable, then refused by the server: the engine's own alert."""
    await ui.profile()
    await ui.context.mailboxes.add(ADDRESS, "Corp", password="pw")
    await ui.context.mailboxes.approve(ADDRESS)
    await ui.context.sync.start()
    [outcome] = await ui.context.sync.test_and_enable([ADDRESS])
    assert outcome.error is None
    ui.server.fail_next(ADDRESS, PermanentError("LOGIN refused: bad password", code="auth_failed"))
    await ui.context.sync.sync_now([ADDRESS])
    for _ in range(600):  # a hang guard, not a timing: the cycle runs as soon as the engine ticks
        views = await ui.context.monitoring.alerts()
        if views:
            [view] = views
            return view.alert
        await asyncio.sleep(0.05)
    raise AssertionError("the engine raised no alert")


def test_an_engine_alert_reads_in_the_interface_language_with_its_facts(ui, run, qtbot, tmp_path, language):
    alert = run(_alert_from_the_engine(ui))
    assert alert.code == "auth_failed"
    english = explain("auth_failed", server=SERVER, address=ADDRESS, detail="LOGIN refused: bad password")
    assert (alert.title, alert.cause, alert.fix) == (english.title, english.cause, english.fix)  # stored in English

    notifications = NotificationArea()
    qtbot.addWidget(notifications)
    page = AlertsPage(ui.context, ErrorPresenter(None, notifications, show_dialog=ui.shown.append))
    qtbot.addWidget(page)
    page.resize(1100, 520)
    run(page.refresh())
    assert page.proxy.rowCount() == 1
    row = [page.proxy.index(0, column).data() for column in range(page.proxy.columnCount())]
    page.table.selectRow(0)
    detail = page.detail.text()
    if language == "en":
        assert row[4:] == [english.title, english.cause, english.fix]
        assert row[0] == "Error"
    else:
        assert row[0] == "Erreur"
        assert row[4] == "Le serveur a refusé les identifiants"
        assert row[5] == (
            f"{SERVER} n'a pas accepté le nom d'utilisateur ou le mot de passe de {ADDRESS} : "
            "LOGIN refused: bad password"
        )
        assert row[6].startswith("Vérifiez l'identifiant et le mot de passe de la boîte aux lettres")
        assert "Comment corriger :" in detail and "Le serveur a refusé les identifiants" in detail
        page.show()
        qtbot.waitExposed(page)
        shot(page, "alerts-wall-fr.png", tmp_path)

    # the live notification of the same alert says it the same way
    ui.bus.publish(AlertRaised(alert))
    run(until(lambda: notifications.shown() is not None, what="the notification"))
    assert notifications.shown().title == row[4] and notifications.shown().cause == row[5]
    assert ui.shown == []


def test_the_error_dialog_speaks_french_with_the_facts_it_was_given(french, qtbot, tmp_path):
    error = PermanentError("LOGIN refused: bad password", code="auth_failed")
    report = report_for(error, "test the connection", {"address": ADDRESS, "server": SERVER})
    assert report.title == "Le serveur a refusé les identifiants"
    assert report.cause == (
        f"{SERVER} n'a pas accepté le nom d'utilisateur ou le mot de passe de {ADDRESS} : LOGIN refused: bad password"
    )
    assert report.fix.startswith("Vérifiez l'identifiant et le mot de passe")
    assert report.details == "auth_failed: LOGIN refused: bad password"  # for a bug report: as raised

    dialog = ErrorDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == report.title
    assert dialog.fix_label.text().startswith("<b>Comment corriger :</b> Vérifiez")
    assert "Comment corriger : Vérifiez" in dialog.full_text()
    shot(dialog, "error-dialog-fr.png", tmp_path)

    # without the facts its text needs, the cause is the error's own message, the fix has a gap
    bare = report_for(PermanentError("no such mailbox", code="mailbox_not_found"))
    assert bare.title == "La boîte aux lettres n'existe pas sur le serveur"
    assert bare.cause == "no such mailbox"
    assert bare.fix == "Vérifiez l'adresse et l'identifiant de la boîte aux lettres, ou supprimez-la."


def test_failed_items_say_why_in_french(french, ui, run, qtbot, tmp_path):
    async def seed() -> None:
        await ui.profile()
        await ui.context.mailboxes.add(ADDRESS, "Corp")
        async with ui.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(ADDRESS)
            await tx.failed_items.record(
                FailedItem(
                    mailbox.id, Channel.INCOMING, "INBOX;7", "malformed_message", "no From header", folder="INBOX"
                )
            )

    run(seed())
    page = FailedItemsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    reason = page.model.index(0, 5)
    assert reason.data() == "Un message n'a pas pu être lu : no From header"
    assert reason.data(3) == (  # the tooltip: cause and fix, the item named as a person knows it
        f"Un message de {ADDRESS} (Un message dans INBOX) est mal formé : no From header\n"
        "Il est conservé dans les éléments en échec ; réessayez-le une fois la cause corrigée, ou ignorez-le."
    )
    page.resize(1000, 300)
    shot(page, "failed-items-fr.png", tmp_path)


def test_alerts_the_catalogue_does_not_know_stay_as_they_were_stored(french, ui, run, qtbot):
    async def seed() -> None:
        await ui.profile()
        await ui.context.mailboxes.add(ADDRESS, "Corp")
        async with ui.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(ADDRESS)
            await tx.alerts.add(
                Alert(
                    Severity.WARNING,
                    AlertScope.MAILBOX,
                    "timeout",
                    {"title": "An older wording", "cause": "imap.example.test:993 was slow: 30 s", "fix": "Wait."},
                    mailbox.id,
                    mailbox.profile_id,
                    says=LEGACY_TEXT,  # stored before alerts kept their facts
                )
            )

    run(seed())
    page = AlertsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    row = [page.proxy.index(0, column).data() for column in range(page.proxy.columnCount())]
    assert row[0] == "Avertissement"
    assert row[4:] == ["An older wording", "imap.example.test:993 was slow: 30 s", "Wait."]


def test_the_fact_phrases_are_the_ones_the_engine_writes():
    """FACT_PHRASES follows the engine's wording: a phrase it no longer writes is a stale entry."""
    engine = "".join(path.read_text(encoding="utf-8") for path in (REPO / "desktop_sync" / "engine").glob("*.py"))
    for phrase in FACT_PHRASES:
        assert f'"{phrase}"' in engine, phrase
