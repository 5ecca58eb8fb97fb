"""Running the end-to-end hostile-mail imports: mailboxes set up through the admin CLI, mail delivered to
Dovecot in a known order (message i gets UID i+1), the engine run, and each case's outcome checked
against the store's item links and the failed-item ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import sqlite3
import time
from pathlib import Path

import psycopg
from servers.dovecot import DovecotServer, MailUser
from servers.ports import LOOPBACK
from servers.smtp import SmtpServer

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store
from support.cli_admin import Admin
from support.hostile_corpus import Case

# --- setting up and running


def set_up_queue_mailbox(admin: Admin, dovecot: DovecotServer, user: MailUser, tls_ca: Path, protocol: str) -> str:
    """A queue's mailbox (a queue tracks all its mail), by IMAP or POP3 over implicit TLS."""
    admin(
        "profile",
        "add",
        "Hostile",
        "--kind",
        protocol,
        "--incoming-host",
        "localhost",
        "--incoming-port",
        str(dovecot.ports[f"{protocol}s"]),
        "--ca-file",
        str(tls_ca),
        "--timeout",
        "60",
    )
    address = user.address
    admin("queue", "add", address, "--name", "Inbound")
    admin(
        "mailbox",
        "add",
        address,
        "--profile",
        "Hostile",
        "--queue",
        address,
        "--login",
        user.name,
        "--password-stdin",
        stdin=user.password,
    )
    admin("mailbox", "approve", address)
    assert admin.json("mailbox", "test-enable", address)["ok"]
    return address


def set_up_user_mailbox(
    admin: Admin, dovecot: DovecotServer, smtp: SmtpServer, user: MailUser, tls_ca: Path, protocol: str = "imap"
) -> str:
    """A CRM user tracking all mail, by IMAP or POP3 over TLS, sending through the SMTP server."""
    ports = ("--incoming-port", str(dovecot.ports[f"{protocol}s"]), "--outgoing-port", str(smtp.port))
    admin("profile", "add", "Corp", "--kind", protocol, "--incoming-host", "localhost", "--outgoing-host", "localhost",
          *ports, "--outgoing-security", "starttls", "--ca-file", str(tls_ca), "--timeout", "60")  # fmt: skip
    address = user.address
    admin("user", "add", address, "--name", "Alice Seller")
    admin("user", "tracking", address, "all")
    admin("mailbox", "add", address, "--profile", "Corp", "--user", address, "--login", user.name,
          "--password-stdin", stdin=user.password)  # fmt: skip
    admin("mailbox", "approve", address)
    report = admin.json("mailbox", "test-enable", address)
    assert report["ok"], report
    return address


def deliver_in_order(dovecot: DovecotServer, user: MailUser, raws: list[bytes]) -> None:
    """Deliver each message and let Dovecot give it its UID before the next: message i gets UID i+1."""
    imap = imaplib.IMAP4(LOOPBACK, dovecot.ports["imap"], timeout=30)
    try:
        imap.login(user.name, user.password)
        imap.select("INBOX", readonly=True)
        for raw in raws:
            dovecot.deliver(user.name, raw)
            imap.noop()
        _, data = imap.uid("SEARCH", "ALL")
        assert [int(uid) for uid in data[0].split()] == list(range(1, len(raws) + 1))
    finally:
        imap.logout()


def run_engine_once(admin: Admin) -> None:
    code, out, err = admin("engine", "run", "--once", ok=False)
    assert code == 0, f"the engine stopped with {code}: {err}{out}"


def run_until_imported(admin: Admin, address: str, rounds: int = 6) -> None:
    """Engine runs (each cycle takes at most 500 mails) until one brings nothing new."""
    seen = -1
    for _ in range(rounds):
        admin("sync", "now", address)
        run_engine_once(admin)
        now = len(linked_activities(admin.db)) + len(admin.json("failed", "list"))
        if now == seen:
            return
        seen = now
    raise AssertionError(f"still importing after {rounds} runs")


async def import_in_process(
    tmp_path: Path, dovecot: DovecotServer, user: MailUser, tls_ca: Path, raws: list[bytes]
) -> tuple[float, Engine]:
    """Import ``raws`` with an engine in this process; returns the most CPU time the event loop's thread
    spent between two of its turns (what would freeze the window; CPU time, not wall time, so that a
    loaded machine does not make it look longer than it is)."""
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    await asyncio.to_thread(set_up_queue_mailbox, admin, dovecot, user, tls_ca, "imap")
    deliver_in_order(dovecot, user, raws)
    store = open_store(admin.db)
    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(),
        secrets=KeyringSecrets(),
        settings=EngineSettings(push=False),
    )
    stall = 0.0
    running = True

    async def heartbeat() -> None:
        nonlocal stall
        last = time.thread_time()  # the loop thread's own CPU time
        while running:
            await asyncio.sleep(0.01)
            now = time.thread_time()
            stall = max(stall, now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    await engine.start()
    try:
        await engine.run_once()
    finally:
        running = False
        await beating
        await engine.stop()
        await store.close()
    return stall, engine


# --- the look at the results


def uid_of(server_id: str) -> int:
    """The IMAP UID in an IMAP server id (``INBOX;uidvalidity;uid``) or a POP3 UIDL (``%08Xu%08Xv``)."""
    if ";" in server_id:
        return int(server_id.rsplit(";", 1)[1])
    return int(server_id[:8], 16)


def email_link_rows(url: str) -> list[tuple[str, int]]:
    """(server id, activity id) of every email item link in the store at ``url`` (SQLite or PostgreSQL)."""
    query = (
        "SELECT l.server_id, l.local_id FROM item_links l JOIN email_activities a ON a.id = l.local_id "
        "WHERE l.record_type = 'email'"
    )
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return db.execute(query).fetchall()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as db:
        return db.execute(query).fetchall()


def linked_activities(url: str) -> dict[int, int]:
    """UID -> the id of the activity it became, from the store's item links (the CLI does not show
    server identities); it tells which activity each delivered mail became, whatever its headers."""
    links: dict[int, int] = {}
    for server_id, local_id in email_link_rows(url):
        assert uid_of(server_id) not in links, f"{server_id} linked twice"
        links[uid_of(server_id)] = local_id
    return links


def server_links(url: str) -> dict[str, int]:
    """Server id (an EWS ItemId...) -> the activity it became, from the store's item links."""
    rows = email_link_rows(url)
    links = dict(rows)
    assert len(links) == len(rows), "an item linked twice"
    return links


def check_outcomes(admin: Admin, address: str, cases: list[Case], *, shared_ids: bool = False) -> None:
    """Each case imported or in the ledger with a reason, never both, never twice; the mailbox is fine.

    ``shared_ids``: generated cases may carry the same Message-ID (``<@>``...), and then are one
    activity, by the Message-ID guard; the ordinary ones must still be one activity each, and
    outgoing activities may be there besides."""
    activities = {a["id"]: a for a in admin.json("email", "list", "--limit", "100000")}
    links = linked_activities(admin.db)
    failed = {uid_of(item["item"]): item for item in admin.json("failed", "list")}
    problems = []
    for uid, entry in enumerate(cases, start=1):
        activity = activities.get(links[uid]) if uid in links else None
        ledger = failed.get(uid)
        if activity is not None and ledger is not None:
            problems.append(f"{entry.name}: imported and also in the ledger ({ledger['code']})")
        if activity is None and ledger is None:
            problems.append(f"{entry.name}: neither imported nor in the failed-item ledger")
        if ledger is not None and not ledger["reason"]:
            problems.append(f"{entry.name}: in the ledger without a reason")
        if entry.outcome == "imported" and activity is None:
            why = f"{ledger['code']}: {ledger['reason'][:200]}" if ledger else "missing"
            problems.append(f"{entry.name}: should be imported ({why})")
        if entry.outcome == "failed" and ledger is None:
            problems.append(f"{entry.name}: should be in the ledger")
        if activity is not None:
            if (
                entry.message_id is not None
                and entry.outcome == "imported"
                and activity["message_id"] != entry.message_id[:998]  # bounded like the column
            ):
                problems.append(f"{entry.name}: imported as {activity['message_id'][:80]}")
            if entry.check is not None:
                try:
                    entry.check(activity)
                except AssertionError as exc:
                    problems.append(f"{entry.name}: {exc}")
    imported = {links[uid] for uid in links}
    if shared_ids:
        ordinary = [
            links[uid] for uid, c in enumerate(cases, start=1) if c.name.startswith("ordinary") and uid in links
        ]
        if len(set(ordinary)) != len(ordinary) or not imported <= set(activities):
            problems.append(f"{len(set(ordinary))} activities for {len(ordinary)} ordinary mails")
    elif set(activities) != imported or len(imported) != len(links):
        problems.append(f"{len(activities)} activities for {len(links)} imported mails")
    mailbox_alerts = [a for a in admin.json("alerts", "list") if a["scope"] != "item"]
    if mailbox_alerts:
        problems.append(f"the mailbox itself failed: {[(a['code'], a['cause'][:300]) for a in mailbox_alerts]}")
    [mailbox] = [m for m in admin.json("mailbox", "list") if m["address"] == address]
    if not mailbox["incoming"]["enabled"]:
        problems.append("the mailbox's incoming channel was disabled")
    assert not problems, "\n".join(problems)
