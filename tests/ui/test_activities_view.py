"""The Activities view over the real application: tracked mail arrives live, its details say why it
was tracked and who took part, attachments save to a file, and the HTML body loads nothing remote."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from support.scripted import ScriptedFactory, ScriptedServer, message

from desktop_sync.app import DesktopApp
from desktop_sync.domain.model import ProfileKind, RecordType
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import open_store
from desktop_sync.ui.activities_view import SafeBrowser, sanitize_html
from desktop_sync.ui.main_window import View
from tests.ui.conftest import FAST_ENGINE, Answers, save_grab, until

pytestmark = pytest.mark.gui
ALICE = "alice@example.test"
SHOTS = Path("/tmp/shots/gui-options")
SMALL_LIMIT = 4096  # bytes: attachments larger are recorded without their content


class CountingServer:
    """A web server on loopback that counts the requests it gets: a fetched remote image shows here."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        counting = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                counting.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def web() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def html_mail(web_url: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Carol Customer <carol@customer.test>"
    mail["To"] = ALICE
    mail["Cc"] = "dave@customer.test"
    mail["Subject"] = "Quarterly figures"
    mail["Message-ID"] = "<figures@customer.test>"
    mail["Date"] = "Wed, 25 Nov 2026 11:00:00 +0000"
    mail.set_content("Plain figures")
    mail.add_alternative(
        "<html><head><style>body { background: url(" + web_url + "/css.png) }</style></head>"
        '<body onload="track()"><p>Figures <b>attached</b>.</p>'
        '<img src="' + web_url + '/pixel.png" alt="logo" width="1" height="1">'
        '<table background="'
        + web_url
        + '/table.png"><tr><td style="background-image: url('
        + web_url
        + '/td.png)">cell</td></tr></table>'
        '<a href="javascript:steal()">click</a> <a href="https://example.test/report">report</a>'
        "<script>document.write('tracked')</script><iframe src=\"" + web_url + '/frame"></iframe></body></html>',
        subtype="html",
    )
    mail.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="figures.csv")
    mail.add_attachment(b"\0" * (SMALL_LIMIT * 3), maintype="application", subtype="zip", filename="archive.zip")
    return mail.as_bytes()


@pytest.fixture
def desktop(tmp_path: Path, run, qtbot) -> Iterator[tuple[DesktopApp, ScriptedServer]]:
    store = open_store(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    secrets = KeyringSecrets()

    async def setup() -> None:
        await ProfileService(store, secrets).add(
            ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test", outgoing_host="smtp.t")
        )
        mailboxes = MailboxService(store, secrets)
        await mailboxes.add(ALICE, "Corp", password="pw")
        await mailboxes.approve(ALICE)

    run(setup())
    server = ScriptedServer()
    settings = dataclasses.replace(
        FAST_ENGINE, cycle=dataclasses.replace(FAST_ENGINE.cycle, attachment_limit=SMALL_LIMIT)
    )
    app = DesktopApp(
        store,
        connectors=ScriptedFactory(server),
        secrets=secrets,
        database_label=str(tmp_path),
        has_profiles=True,
        settings=settings,
        asker=Answers(),
    )
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    yield app, server
    run(app.stop())
    run(store.close())


def test_tracked_mail_arrives_live_with_why_parties_attachments_and_no_remote_content(
    desktop, run, web, tmp_path
) -> None:
    app, server = desktop
    page = app.window.activities_page
    run(app.start())
    app.window.show_view(View.ACTIVITIES)
    assert page.model.rowCount() == 0 and page.empty.label.isVisible()

    run(app.sync.test_and_enable([ALICE]))
    server.deliver(ALICE, message(1))
    server.deliver(ALICE, html_mail(web.url))
    run(until(lambda: page.model.rowCount() == 2, what="the engine's mail in the activity list"))
    assert not page.empty.label.isVisible()
    subjects = {page.model.item(row, 2).text() for row in range(2)}
    assert subjects == {"message 1", "Quarterly figures"}
    assert page.mailbox_filter.findData(ALICE) > 0

    row = next(r for r in range(2) if page.model.item(r, 2).text() == "Quarterly figures")
    page.table.selectRow(row)
    run(until(lambda: page.current is not None, what="the details"))
    assert page.subject_label.text() == "Quarterly figures"
    assert page.why_label.text().splitlines() == [
        "all mail of a queue mailbox",
        f"accepted by the mailbox {ALICE}",
    ]
    parties = page.parties_label.text().splitlines()
    assert parties[0] == "From: Carol Customer <carol@customer.test> — not in the CRM"
    assert "Cc: dave@customer.test — not in the CRM" in parties
    assert page.regarding_label.text() == "—"
    answered = dataclasses.replace(
        page.current,
        regarding=(RecordType.ACCOUNT, 12),
        regarding_name="Contoso <info@contoso.test>",
        correlation_method="in_reply_to",
        correlated_activity_id=3,
        correlated_subject="Offer",
    )
    page.show_activity(answered)  # records named as a person knows them, never "account #12"
    assert page.regarding_label.text() == "Contoso <info@contoso.test> (account)"
    assert page.why_label.text().splitlines()[1] == "correlated with “Offer” by In-Reply-To"
    assert "#" not in page.regarding_label.text() + page.why_label.text() + page.parties_label.text()
    row = next(r for r in range(2) if page.model.item(r, 2).text() == "Quarterly figures")

    assert page.attachments.rowCount() == 2
    assert page.attachments.item(0, 0).text() == "figures.csv"
    assert page.attachments.item(0, 2).text() == ""
    assert page.attachments.item(1, 0).text() == "archive.zip"
    assert page.attachments.item(1, 1).text() == "12 KB"
    assert page.attachments.item(1, 2).text() == "over the size limit: not stored"
    page.attachments.selectRow(1)
    assert not page.save_button.isEnabled()
    page.attachments.selectRow(0)
    assert page.save_button.isEnabled()
    saved = run(page.save_attachment(0, str(tmp_path / "saved.csv")))
    assert Path(saved).read_bytes() == b"a,b\n1,2\n"

    shown = page.body.toPlainText()
    assert "Figures attached." in shown and "[image logo]" in shown and "cell" in shown
    assert "tracked" not in shown and "steal" not in page.body.toHtml()
    assert page.body.refused == []  # the sanitized body asks for nothing
    SHOTS.mkdir(parents=True, exist_ok=True)
    save_grab(app.window, SHOTS / "activities.png")
    assert web.requests == []

    page.direction_filter.setCurrentIndex(page.direction_filter.findText("Outgoing"))
    run(until(lambda: page.model.rowCount() == 0, what="no outgoing mail"))
    page.direction_filter.setCurrentIndex(0)
    run(until(lambda: page.model.rowCount() == 2, what="both again"))
    page.search.setText("quarterly")
    run(until(lambda: page.model.rowCount() == 1, what="the search"))
    assert page.model.item(0, 2).text() == "Quarterly figures"


def test_the_browser_refuses_every_resource_even_of_unsanitized_html(qtbot, web) -> None:
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(f'<p>hello</p><img src="{web.url}/direct.png"><img src="file:///etc/hostname">')
    browser.show()
    qtbot.waitExposed(browser)
    assert f"{web.url}/direct.png" in browser.refused
    assert "file:///etc/hostname" in browser.refused
    assert browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(f"{web.url}/x.png")) is None
    assert web.requests == []


def test_sanitizing_keeps_formatting_and_drops_what_runs_or_loads() -> None:
    cleaned = sanitize_html(
        '<div onclick="x()"><p style="color:red">Hi <b>there</b></p>'
        '<a href="javascript:alert(1)">bad</a><a href="mailto:a@b.test" onmouseover="y()">mail</a>'
        '<script>alert(1)</script><style>p{}</style><img src="http://t.test/p.gif">'
        "<object data=x>inside</object><svg><image href='http://t.test/i.png'/></svg>&lt;ok&gt;</div>"
    )
    assert cleaned == ('<div><p>Hi <b>there</b></p><a>bad</a><a href="mailto:a@b.test">mail</a>[image]&lt;ok&gt;</div>')


def test_a_hidden_page_waits_to_be_shown_before_it_reloads(ui, qtbot) -> None:
    from desktop_sync.domain.model import Channel, MailboxId
    from desktop_sync.engine.events import ItemsSynced
    from desktop_sync.ui.activities_view import ActivitiesPage

    page = ActivitiesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    event = ItemsSynced(MailboxId(1), "a@example.test", Channel.INCOMING, 50)
    ui.bridge.items_synced.emit(event)  # during an import, with another view shown
    assert not page._reload.isActive()
    page.show()
    assert page._reload.isActive()  # shown again: one reload
    page._reload.stop()
    ui.bridge.items_synced.emit(event)
    assert page._reload.isActive()  # seen: reloads as mail comes
