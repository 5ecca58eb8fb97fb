"""Malformed and hostile mail, delivered to a real Dovecot and imported by the real engine.

Each message of the corpus (generated here) is either imported as an email activity or recorded
in the failed-item ledger with a reason; the cycle completes, the engine does not crash, and the
ordinary mail delivered around the hostile ones is imported. Attachment names are stored
sanitized. The corpus runs over IMAP and POP3 (Dovecot's IMAP turns NUL bytes into 0x80; its
POP3 hands them over as they are), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import imaplib
import random
import re
import sqlite3
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from ews.fixtures import ALICE, PASSWORDS, SERVICE
from ews.server import EwsServer
from servers.dovecot import DovecotServer, MailUser
from servers.ports import LOOPBACK
from servers.smtp import SmtpServer
from support.cli_admin import Admin
from support.hostile_mail import generated_hostile

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

pytestmark = [pytest.mark.dovecot]

Check = Callable[[dict[str, Any]], None]


# --- the corpus


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    outcome: str = "imported"  # "imported", "failed" (in the ledger), or "either"
    check: Check | None = None  # what the imported activity must look like
    message_id: str | None = None  # the Message-ID header's, where there is a readable one


def headers(name: str, *, subject: str | bytes | None = None, extra: bytes = b"", **omit: bool) -> bytes:
    """The usual headers of a case, each of which can be left out (``no_from=True``...)."""
    lines = []
    if not omit.get("no_from"):
        lines.append(b"From: Mallory <mallory@attacker.test>")
    lines.append(b"To: inbox@example.test")
    if subject is None:
        subject = f"case {name}"
    if isinstance(subject, str):
        subject = subject.encode()
    lines.append(b"Subject: " + subject)
    if not omit.get("no_message_id"):
        lines.append(f"Message-ID: <{name}@hostile.test>".encode())
    if not omit.get("no_date"):
        lines.append(b"Date: Wed, 25 Nov 2026 10:00:00 +0000")
    return b"\r\n".join(lines) + b"\r\n" + extra


def case(name: str, raw: bytes, outcome: str = "imported", check: Check | None = None) -> Case:
    has_id = re.search(rb"^Message-ID: (<[^\r\n]*>)\r?$", raw.split(b"\r\n\r\n", 1)[0], re.MULTILINE)
    return Case(name, raw, outcome, check, has_id.group(1).decode() if has_id else None)


def multipart(name: str, parts: list[bytes], *, boundary: str = "BOUNDARY", close: bool = True, **kw: Any) -> bytes:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    if close:
        body += b"--" + boundary.encode() + b"--\r\n"
    content_type = f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n'.encode()
    return headers(name, extra=content_type, **kw) + b"\r\n" + body


def attachment(filename_parameter: bytes, content: bytes = b"payload", content_type: bytes = b"text/plain") -> bytes:
    return (
        b"Content-Type: " + content_type + b"\r\nContent-Disposition: attachment; " + filename_parameter + b"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(content).replace(b"\n", b"\r\n")
    )


def nested(name: str, depth: int) -> bytes:
    inner = b"Content-Type: text/plain\r\n\r\nthe bottom\r\n"
    for level in range(depth):
        inner = (
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
            + inner
            + f"\r\n--b{level}--\r\n".encode()
        )
    head, body = inner.split(b"\r\n\r\n", 1)
    return headers(name, extra=b"MIME-Version: 1.0\r\n" + head + b"\r\n") + b"\r\n" + body


def ordinary(n: int) -> Case:
    """A plain customer mail: it must be imported whatever surrounds it."""
    raw = (
        f"From: Carol <carol@customer.test>\r\nTo: inbox@example.test\r\nSubject: ordinary {n}\r\n"
        f"Message-ID: <ordinary{n}@customer.test>\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease call me back ({n}).\r\n"
    ).encode()

    def check(activity: dict[str, Any]) -> None:
        assert activity["subject"] == f"ordinary {n}" and activity["sender"] == "carol@customer.test"

    return case(f"ordinary{n}", raw, check=check)


def subject_has(*fragments: str) -> Check:
    def check(activity: dict[str, Any]) -> None:
        for fragment in fragments:
            assert fragment in activity["subject"], (fragment, activity["subject"][:200])

    return check


def safe_filenames(count: int) -> Check:
    """Every stored attachment name is a bare, printable file name: no directory, no way up or out."""

    def check(activity: dict[str, Any]) -> None:
        names = [a["filename"] for a in activity["attachments"]]
        assert len(names) == count, names
        for name in names:
            assert name and name not in (".", ".."), names
            assert "/" not in name and "\\" not in name, f"a path in a stored file name: {name!r}"
            assert not name.startswith("."), f"a hidden or relative name: {name!r}"
            assert not re.match(r"^[A-Za-z]:", name), f"a drive letter: {name!r}"
            assert name.isprintable(), f"control characters in {name!r}"
            assert len(name) <= 255, f"{len(name)} characters"

    return check


def hostile_corpus() -> list[Case]:
    rng = random.Random(20261125)
    long_id = "<" + "x" * 2000 + "@hostile.test>"

    def sender_is(expected: str | None) -> Check:
        def check(activity: dict[str, Any]) -> None:
            assert activity["sender"] == expected

        return check

    def no_date(activity: dict[str, Any]) -> None:
        assert activity["sent_at"] is None

    def derived_id(activity: dict[str, Any]) -> None:
        assert activity["message_id"].endswith("@desktop-sync.invalid>")

    def whole_subject(activity: dict[str, Any]) -> None:
        # a header over 16 kB is cut before parsing (the parser is quadratic), the subject kept to 4,000 characters
        assert activity["subject"] == "A" * 4000, f"a subject of {len(activity['subject'])} characters"

    def one_attachment(activity: dict[str, Any]) -> None:
        assert activity["attachment_count"] == 1, activity["attachments"]

    def long_values(activity: dict[str, Any]) -> None:
        # values are bounded as the columns are: Message-IDs to 998 characters (RFC 5322's line), names to 200
        assert activity["message_id"].startswith("<xxx") and len(activity["message_id"]) <= 998, len(
            activity["message_id"]
        )
        [party] = [p for p in activity["parties"] if p["role"] == "from"]
        assert party["name"].startswith("N") and len(party["name"]) <= 200, party["name"]

    return [
        ordinary(1),
        # broken encodings
        case(
            "bad_base64",
            multipart(
                "bad_base64",
                [
                    b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64@@@=\r\n",
                    b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n"
                    b"Content-Transfer-Encoding: base64\r\n\r\nQUJD\x01RE&&&=\r\n==\r\n",
                ],
            ),
            check=one_attachment,
        ),
        case(
            "unknown_charset",
            headers(
                "unknown_charset",
                subject="=?x-klingon?Q?qapla=27?= =?utf-8?B?////?=",
                extra=b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-klingon\r\n",
            )
            + b"\r\ncaf\xe9 \xff\xfe\r\n",
            check=subject_has("qapla"),
        ),
        case(
            "invalid_utf8_headers",
            headers("invalid_utf8_headers", subject=b"caf\xc3\x28 \xff\xfe \xed\xa0\x80 end").replace(
                b"From: Mallory", b"From: Mal\xc0\xafory"
            )
            + b"\r\nbody\r\n",
            check=subject_has("caf", "end"),
        ),
        case(
            "broken_encoded_words",
            headers("broken_encoded_words", subject="=?utf-8?b?!!!?= =?utf-8?q?unterminated =?=?=?") + b"\r\nbody\r\n",
        ),
        case(
            "exotic_codecs",
            multipart(
                "exotic_codecs",
                [
                    b"Content-Type: text/plain; charset=rot13\r\n\r\nuryyb\r\n",
                    b"Content-Type: text/html; charset=hex\r\n\r\n<p>zz</p>\r\n",
                    b"Content-Type: text/plain; charset=idna\r\nContent-Disposition: attachment; filename=a.txt\r\n"
                    b"\r\n\xff\xfe..\r\n",
                    b"Content-Type: text/plain; charset=utf-7\r\nContent-Disposition: attachment; filename=b.txt\r\n"
                    b"\r\n+AGEAYgBj-+++\r\n",
                ],
            ),
        ),
        # missing headers
        case("no_from", headers("no_from", no_from=True) + b"\r\nWho sent this?\r\n", check=sender_is(None)),
        case("no_message_id", headers("no_message_id", no_message_id=True) + b"\r\nno id\r\n", check=derived_id),
        case("no_date", headers("no_date", no_date=True) + b"\r\nno date\r\n", check=no_date),
        case(
            "garbage_date",
            headers("garbage_date", no_date=True, extra=b"Date: the day after tomorrow, 25:99 +9999\r\n")
            + b"\r\nx\r\n",
            check=no_date,
        ),
        case("no_headers_at_all", b"just a line of text, no header at all\r\nand another\r\n", outcome="failed"),
        case("blank", b"\r\n", outcome="failed"),
        case(
            "header_garbage",
            b"\tcontinuation before any header\r\nno colon here\r\n"
            + headers("header_garbage")
            + b": empty name\r\n\r\nbody\r\n",
            outcome="either",
        ),
        # deep nesting
        case("nested_200", nested("nested_200", 200), check=subject_has("case nested_200")),
        case("nested_5000", nested("nested_5000", 5000), outcome="either"),
        # huge headers
        case(
            "huge_subject_1mb",
            headers("huge_subject_1mb", subject=b"A" * 1_000_000) + b"\r\nbody\r\n",
            check=whole_subject,
        ),
        case(
            "huge_unknown_header_1mb",
            headers("huge_unknown_header_1mb", extra=b"X-Junk: " + b"junk " * 200_000 + b"\r\n") + b"\r\nbody\r\n",
        ),
        case(
            "long_values",
            headers("long_values", no_message_id=True, no_from=True)
            + b'From: "'
            + b"N" * 300
            + b'" <mallory@attacker.test>\r\nMessage-ID: '
            + long_id.encode()
            + b"\r\nIn-Reply-To: <"
            + b"y" * 2000
            + b"@hostile.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
            b"Content-Type: text/plain\r\n\r\nx\r\n--B\r\nContent-Type: application/"
            + b"z" * 300
            + b"\r\nContent-ID: <"
            + b"c" * 2000
            + b"@x>\r\nContent-Disposition: attachment; filename=long.bin\r\n\r\nabc\r\n--B--\r\n",
            check=long_values,
        ),
        ordinary(2),
        # NUL bytes
        case(
            "nul_bytes",
            headers("nul_bytes", subject=b"nul\x00in subject")
            + b"X-Nul: \x00\x00\x00\r\n\r\nbody with \x00 NUL \x00 bytes\r\n",
            check=subject_has("nul", "in subject"),
        ),
        # path traversal in attachment names
        case(
            "path_traversal",
            multipart(
                "path_traversal",
                [
                    b"Content-Type: text/plain\r\n\r\nsee attached\r\n",
                    attachment(b'filename="../../etc/passwd"'),
                    attachment(b'filename="/etc/shadow"'),
                    attachment(b'filename="C:\\\\Windows\\\\System32\\\\evil.dll"'),
                    attachment(b'filename="..\\\\..\\\\boot.ini"'),
                    attachment(b"filename*=utf-8''..%2F..%2F.ssh%2Fauthorized_keys"),
                    attachment(b'filename="=?utf-8?q?=2E=2E=2Fencoded=2Etxt?="'),
                    attachment(b'filename=".htaccess"'),
                    attachment(b'filename="nul\x00and\x01control\x1b[31m.txt"'),
                    attachment(b'filename="' + b"long" * 200 + b'.txt"'),
                    attachment(b'filename=".."'),
                ],
            ),
            check=safe_filenames(10),
        ),
        case(
            "nested_message_traversal",
            multipart(
                "nested_message_traversal",
                [
                    b"Content-Type: text/plain\r\n\r\nforwarded\r\n",
                    b'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="../fwd.eml"\r\n\r\n'
                    + multipart("inner", [attachment(b'filename="../../inner.sh"')], boundary="INNER"),
                ],
            ),
            check=safe_filenames(1),
        ),
        # broken structure
        case(
            "unterminated_multipart",
            multipart(
                "unterminated_multipart",
                [b"Content-Type: text/plain\r\n\r\nstart", attachment(b"filename=half.txt")],
                close=False,
            )[:-20],
        ),
        case(
            "multipart_without_boundary",
            headers("multipart_without_boundary", extra=b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n")
            + b"\r\n--x\r\nContent-Type: text/plain\r\n\r\nlost\r\n--x--\r\n",
        ),
        case(
            "bare_line_endings",
            b"From: mallory@attacker.test\nTo: inbox@example.test\rSubject: case bare_line_endings\n"
            b"Message-ID: <bare_line_endings@hostile.test>\n\n8-bit \xe9\xe8 without MIME\r\rmore\n",
            outcome="either",
        ),
        case("binary_junk", bytes(rng.randrange(256) for _ in range(65536)), outcome="either"),
        ordinary(3),
    ]


# --- delivery in a known order, and the look at the results


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


def uid_of(server_id: str) -> int:
    """The IMAP UID in an IMAP server id (``INBOX;uidvalidity;uid``) or a POP3 UIDL (``%08Xu%08Xv``)."""
    if ";" in server_id:
        return int(server_id.rsplit(";", 1)[1])
    return int(server_id[:8], 16)


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


def run_engine_once(admin: Admin) -> None:
    code, out, err = admin("engine", "run", "--once", ok=False)
    assert code == 0, f"the engine stopped with {code}: {err}{out}"


def linked_activities(url: str) -> dict[int, int]:
    """UID -> the id of the activity it became, from the store's item links (the CLI does not show
    server identities); it tells which activity each delivered mail became, whatever its headers."""
    query = (
        "SELECT l.server_id, l.local_id FROM item_links l JOIN email_activities a ON a.id = l.local_id "
        "WHERE l.record_type = 'email'"
    )
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            rows = db.execute(query).fetchall()
    else:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as db:
            rows = db.execute(query).fetchall()
    links: dict[int, int] = {}
    for server_id, local_id in rows:
        assert uid_of(server_id) not in links, f"{server_id} linked twice"
        links[uid_of(server_id)] = local_id
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres])])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


# --- the tests


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_every_hostile_mail_is_imported_or_in_the_ledger_and_the_rest_is_imported(
    store_url: str, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, protocol: str
) -> None:
    admin = Admin(store_url)
    address = set_up_queue_mailbox(admin, dovecot, mail_user, tls_ca, protocol)
    cases = hostile_corpus()
    deliver_in_order(dovecot, mail_user, [c.raw for c in cases])

    run_engine_once(admin)
    check_outcomes(admin, address, cases)
    ordinary_ids = {c.message_id for c in cases if c.name.startswith("ordinary")}
    assert ordinary_ids <= {a["message_id"] for a in admin.json("email", "list", "--limit", "100000")}

    # The next cycle neither imports anything twice nor records a failure twice.
    failed_before = admin.json("failed", "list")
    admin("sync", "now", address)
    run_engine_once(admin)
    check_outcomes(admin, address, cases)
    assert [(f["item"], f["attempts"]) for f in admin.json("failed", "list")] == [
        (f["item"], f["attempts"]) for f in failed_before
    ]


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_a_date_beyond_the_calendar_does_not_stop_the_mailbox(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, protocol: str
) -> None:
    # 9999-12-31 23:59:59 at -12:00 is after the last moment a datetime can hold in UTC.
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    address = set_up_queue_mailbox(admin, dovecot, mail_user, tls_ca, protocol)
    cases = [
        ordinary(1),
        case(
            "end_of_time",
            headers("end_of_time", no_date=True, extra=b"Date: Fri, 31 Dec 9999 23:59:59 -1200\r\n") + b"\r\nx\r\n",
            outcome="either",
        ),
        ordinary(2),
    ]
    deliver_in_order(dovecot, mail_user, [c.raw for c in cases])
    run_engine_once(admin)
    check_outcomes(admin, address, cases)


def overlong(name: str, header: bytes, **omit: bool) -> bytes:
    return headers(name, extra=header + b"\r\n", **omit) + b"\r\nbody\r\n"


def overlong_part(name: str, part_headers: bytes) -> bytes:
    return multipart(name, [part_headers + b"\r\nContent-Disposition: attachment\r\n\r\nzzz"])


# One value each that a column of the store may not hold as it is (PostgreSQL checks the length
# of VARCHAR columns and refuses NUL in text; SQLite checks neither).
STORE_LIMITS = [
    ("message_id_2000", "imap", overlong("x", b"Message-ID: <" + b"i" * 2000 + b"@x>", no_message_id=True)),
    ("in_reply_to_2000", "imap", overlong("in_reply_to_2000", b"In-Reply-To: <" + b"r" * 2000 + b"@x>")),
    ("display_name_300", "imap", overlong("display_name_300", b'From: "' + b"N" * 300 + b'" <m@a.test>', no_from=True)),
    ("address_400", "imap", overlong("address_400", b"Cc: " + b"a" * 400 + b"@attacker.test")),
    ("content_type_300", "imap", overlong_part("content_type_300", b"Content-Type: application/" + b"z" * 300)),
    ("content_id_2000", "imap", overlong_part("content_id_2000", b"Content-ID: <" + b"c" * 2000 + b"@x>")),
    ("nul_in_subject_and_body", "pop3", overlong("nul_in_subject_and_body", b"X-Nul: a\x00b") + b"\x00\r\n"),
]


@pytest.mark.parametrize(("name", "protocol", "raw"), STORE_LIMITS, ids=[name for name, _, _ in STORE_LIMITS])
def test_a_value_too_long_for_its_column_or_a_nul_byte_does_not_stop_the_mailbox(
    store_url: str, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, name: str, protocol: str, raw: bytes
) -> None:
    admin = Admin(store_url)
    address = set_up_queue_mailbox(admin, dovecot, mail_user, tls_ca, protocol)
    cases = [ordinary(1), case(name, raw, outcome="either"), ordinary(2)]
    deliver_in_order(dovecot, mail_user, [c.raw for c in cases])
    run_engine_once(admin)
    check_outcomes(admin, address, cases)


@pytest.mark.slow
def test_a_30_mb_message_is_imported_with_its_attachment_recorded_but_not_stored(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    address = set_up_queue_mailbox(admin, dovecot, mail_user, tls_ca, "imap")
    video = random.Random(30).randbytes(22 * 1024 * 1024)  # about 30 MB once in base64
    big = case(
        "thirty_mb",
        multipart(
            "thirty_mb",
            [
                b"Content-Type: text/plain\r\n\r\nThe recording of the meeting.\r\n",
                attachment(b'filename="meeting.mp4"', video, b"video/mp4"),
            ],
        ),
    )
    assert len(big.raw) > 30_000_000
    cases = [ordinary(1), big, ordinary(2)]
    deliver_in_order(dovecot, mail_user, [c.raw for c in cases])
    run_engine_once(admin)
    check_outcomes(admin, address, cases)
    [activity] = [a for a in admin.json("email", "list") if a["message_id"] == big.message_id]
    [recorded] = activity["attachments"]
    assert (recorded["filename"], recorded["size"], recorded["stored"]) == ("meeting.mp4", len(video), False)
    assert "limit" in recorded["skipped_reason"]


# --- resources: what one hostile mail may cost the engine


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


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_huge_address_header_does_not_block_the_engine(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    recipients = b", ".join([b"everyone@example.test"] * 12_000)  # about 275 kB on one line
    raw = headers("huge_cc", extra=b"Cc: " + recipients + b"\r\n") + b"\r\nto everyone\r\n"
    stall, engine = await import_in_process(tmp_path, dovecot, mail_user, tls_ca, [raw, ordinary(1).raw])
    assert engine.items_committed == 2
    assert stall < 1.0, f"the event loop's thread worked {stall:.1f} s of CPU between two turns"


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_subject_of_many_encoded_words_costs_bounded_memory(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    raw = headers("encoded_words", subject=b"=?utf-8?q?a?= " * 8000) + b"\r\nbody\r\n"
    tracemalloc.start()
    try:
        _, engine = await import_in_process(tmp_path, dovecot, mail_user, tls_ca, [raw, ordinary(1).raw])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert engine.items_committed == 2
    assert peak < 100 * 1024 * 1024, f"importing a {len(raw) // 1024} kB mail took {peak / 2**20:.0f} MB"


@pytest.mark.slow
@pytest.mark.asyncio
async def test_memory_kept_after_an_import_does_not_grow_with_the_mail_imported(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    # Long threads: each reply carries the Message-IDs of the whole conversation (20 kB here).
    raws = []
    for n in range(200):
        references = " ".join(f"<thread{n}.{k}@customer.test>" for k in range(700)).encode()
        raws.append(headers(f"long_thread_{n}", extra=b"References: " + references + b"\r\n") + b"\r\nreply\r\n")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _, engine = await import_in_process(tmp_path, dovecot, mail_user, tls_ca, raws)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert engine.items_committed == 200
    assert kept < 40 * 2**20, f"{kept / 2**20:.0f} MB still held after importing {sum(map(len, raws)) >> 20} MB of mail"


# --- issue 11: hundreds of generated hostile messages among ordinary mail, and a reply after them

GENERATED_SEED = 11  # the same messages every run
ORDINARY_COUNT, HOSTILE_COUNT = 500, 210
EWS_ORDINARY_COUNT, EWS_HOSTILE_COUNT = 500, 210


def interleaved(count: int, hostile: list[bytes]) -> list[Case]:
    """``count`` ordinary mails with the hostile ones spread evenly among them (the first ordinary
    mails come before any hostile one: issue 11's mailbox stopped after its first 500)."""
    cases = [ordinary(n) for n in range(1, count + 1)]
    step = count / (len(hostile) + 1)
    for k, raw in reversed(list(enumerate(hostile, start=1))):
        cases.insert(round(k * step), Case(f"generated{k}", raw, outcome="either"))
    return cases


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


@pytest.mark.slow
@pytest.mark.smtp
@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_hundreds_of_generated_hostile_mails_hold_back_no_ordinary_mail_nor_the_reply_after_them(
    store_url: str, dovecot: DovecotServer, smtp_server: SmtpServer, mail_user: MailUser, tls_ca: Path, protocol: str
) -> None:
    admin = Admin(store_url)
    address = set_up_user_mailbox(admin, dovecot, smtp_server, mail_user, tls_ca, protocol)
    sent = admin.json("email", "send", "--from", address, "--to", "carol@customer.test", "--subject", "Quote",
                      "--body", "For 12 chairs.")  # fmt: skip
    run_engine_once(admin)
    assert [m.rcpt_tos for m in smtp_server.messages] == [("carol@customer.test",)]

    cases = interleaved(ORDINARY_COUNT, generated_hostile(HOSTILE_COUNT, GENERATED_SEED))
    reply = (
        f"From: Carol <carol@customer.test>\r\nTo: {address}\r\nSubject: Re: {sent['subject']}\r\n"
        f"Message-ID: <reply@customer.test>\r\nIn-Reply-To: {sent['message_id']}\r\n"
        f"Date: Wed, 25 Nov 2026 11:00:00 +0000\r\n\r\nYes, please.\r\n"
    ).encode()
    cases.append(case("reply", reply))
    deliver_in_order(dovecot, mail_user, [c.raw for c in cases])

    run_until_imported(admin, address)
    check_outcomes(admin, address, cases, shared_ids=True)
    [mailbox] = [m for m in admin.json("mailbox", "list") if m["address"] == address]
    assert (mailbox["state"], mailbox["last_error_code"]) == ("idle", None), mailbox
    imported = [a["message_id"] for a in admin.json("email", "list", "--direction", "incoming", "--limit", "100000")]
    ordinary_ids = [c.message_id for c in cases if c.name.startswith("ordinary")]
    assert sorted(m for m in imported if m in set(ordinary_ids)) == sorted(ordinary_ids)  # each exactly once
    [answer] = [
        a for a in admin.json("email", "list", "--limit", "100000") if a["message_id"] == "<reply@customer.test>"
    ]
    assert (answer["correlation_method"], answer["correlated_activity"]) == ("in_reply_to", sent["id"])
    failed = admin.json("failed", "list")
    assert all(f["reason"] and f["code"] for f in failed), failed


def server_links(url: str) -> dict[str, int]:
    """Server id (an EWS ItemId...) -> the activity it became, from the store's item links."""
    query = (
        "SELECT l.server_id, l.local_id FROM item_links l JOIN email_activities a ON a.id = l.local_id "
        "WHERE l.record_type = 'email'"
    )
    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
        rows = db.execute(query).fetchall()
    links = dict(rows)
    assert len(links) == len(rows), "an item linked twice"
    return links


@pytest.mark.slow
def test_generated_hostile_mails_among_ordinary_ones_through_the_ews_test_server(
    tmp_path: Path, ews_server: EwsServer
) -> None:
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    channels = admin.exchange_mailbox(ews_server.url, PASSWORDS[SERVICE], ALICE, tracking="all")
    assert channels["incoming"]["enabled"] and channels["outgoing"]["enabled"], channels
    sent = admin.json("email", "send", "--from", ALICE, "--to", "carol@customer.test", "--subject", "Quote",
                      "--body", "For 12 chairs.")  # fmt: skip
    run_engine_once(admin)

    cases = interleaved(EWS_ORDINARY_COUNT, generated_hostile(EWS_HOSTILE_COUNT, GENERATED_SEED))
    reply = (
        f"From: Carol <carol@customer.test>\r\nTo: {ALICE}\r\nSubject: Re: {sent['subject']}\r\n"
        f"Message-ID: <reply@customer.test>\r\nIn-Reply-To: {sent['message_id']}\r\n"
        f"Date: Wed, 25 Nov 2026 11:00:00 +0000\r\n\r\nYes, please.\r\n"
    ).encode()
    cases.append(case("reply", reply))
    item_ids = ews_server.deliver_many(ALICE, [c.raw for c in cases])
    seen = -1
    for _ in range(6):
        admin("sync", "now", ALICE)
        run_engine_once(admin)
        now = len(server_links(admin.db)) + len(admin.json("failed", "list"))
        if now == seen:
            break
        seen = now

    links = server_links(admin.db)
    failed = {f["item"]: f for f in admin.json("failed", "list")}
    activities = {a["id"]: a for a in admin.json("email", "list", "--limit", "100000")}
    problems = []
    for item_id, entry in zip(item_ids, cases, strict=True):
        linked, ledger = item_id in links, failed.get(item_id)
        if linked == (ledger is not None):
            problems.append(f"{entry.name}: {'both imported and' if linked else 'neither imported nor'} in the ledger")
        if ledger is not None and not ledger["reason"]:
            problems.append(f"{entry.name}: in the ledger without a reason")
        if entry.outcome == "imported" and (not linked or activities[links[item_id]]["message_id"] != entry.message_id):
            problems.append(f"{entry.name}: not imported as itself")
    ordinary = [links.get(i) for i, c in zip(item_ids, cases, strict=True) if c.name.startswith("ordinary")]
    if len(set(ordinary)) != EWS_ORDINARY_COUNT:
        problems.append(f"{len(set(ordinary))} activities for {EWS_ORDINARY_COUNT} ordinary mails")
    assert not problems, "\n".join(problems)
    [mailbox] = admin.json("mailbox", "list")
    assert (mailbox["state"], mailbox["last_error_code"], mailbox["incoming"]["enabled"]) == ("idle", None, True)
    [answer] = [a for a in activities.values() if a["message_id"] == "<reply@customer.test>"]
    assert (answer["correlation_method"], answer["correlated_activity"]) == ("in_reply_to", sent["id"])
