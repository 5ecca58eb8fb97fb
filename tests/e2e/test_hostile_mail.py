"""Malformed and hostile mail, delivered to a real Dovecot and imported by the real engine.

Each message of the corpus (``support/hostile_corpus.py``, ``support/hostile_mail.py``) is either
imported as an email activity or recorded in the failed-item ledger with a reason; the cycle
completes, the engine does not crash, and the ordinary mail delivered around the hostile ones is
imported. Attachment names are stored sanitized. The corpus runs over IMAP and POP3 (Dovecot's IMAP
turns NUL bytes into 0x80; its POP3 hands them over as they are), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from pathlib import Path

import pytest
from ews.fixtures import ALICE, PASSWORDS, SERVICE
from ews.server import EwsServer
from servers.dovecot import DovecotServer, MailUser
from servers.smtp import SmtpServer
from support.cli_admin import Admin
from support.hostile_corpus import (
    attachment,
    case,
    headers,
    hostile_corpus,
    interleaved,
    multipart,
    ordinary,
    overlong,
    overlong_part,
)
from support.hostile_import import (
    check_outcomes,
    deliver_in_order,
    import_in_process,
    run_engine_once,
    run_until_imported,
    server_links,
    set_up_queue_mailbox,
    set_up_user_mailbox,
)
from support.hostile_mail import generated_hostile

pytestmark = [pytest.mark.dovecot]


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
