"""A seeded threaded mailbox for the correlation tests and bench/imap_threads.py, and what its import must give.

Threads of varying depth and shape start from outside mail or from mail sent from the CRM (whose
subject carries the tracking token). Replies carry In-Reply-To and References as clients write them:
most both, some only References, some only In-Reply-To, some neither but the token. Some mail of a
conversation is not in the mailbox (the user's own replies, kept elsewhere), and some replies reach
the server before their parent: a server's order is not thread order.

``expected_correlations`` is the oracle: what each mail correlates to when every mail before it in
its thread was imported in an earlier cycle — In-Reply-To, then the token, then References (nearest
first) — given which mail is tracked.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text

from desktop_sync.domain.correlation import tracking_token
from desktop_sync.store.database import make_sync_engine, resolve_url

TOKEN_PREFIX = "CRM:"


@dataclass(frozen=True, slots=True)
class CrmRoot:
    """Mail sent from the CRM that a conversation starts from: its activity, Message-ID and subject."""

    activity_id: int
    message_id: str
    subject: str


@dataclass(frozen=True, slots=True)
class ThreadedMail:
    message_id: str
    raw: bytes
    in_reply_to: str | None
    references: tuple[str, ...]
    token: int | None  # the activity id in the subject's tracking token
    parent: str  # the mail it answers (delivered or not); its own Message-ID for a conversation's first mail
    delivered: bool  # False: part of the conversation, but not in this mailbox


@dataclass(slots=True)
class ThreadedMailbox:
    mails: list[ThreadedMail] = field(default_factory=list)  # in thread order (parents first), delivered or not

    def in_server_order(self, seed: int, out_of_order: float) -> list[ThreadedMail]:
        """The delivered mail in the order the server has it: by time, with a share of the replies moved
        before their parent."""
        rng = random.Random(seed)
        delivered = [mail for mail in self.mails if mail.delivered]
        order = list(delivered)
        positions = {mail.message_id: i for i, mail in enumerate(order)}
        for mail in delivered:
            if mail.in_reply_to is None or mail.in_reply_to not in positions or rng.random() >= out_of_order:
                continue
            mine, theirs = positions[mail.message_id], positions[mail.in_reply_to]
            if mine < theirs:
                continue
            order.pop(mine)
            target = max(0, theirs - rng.randint(0, 60))
            order.insert(target, mail)
            positions = {m.message_id: i for i, m in enumerate(order)}
        return order


def _references(ancestors: Sequence[str], rng: random.Random) -> tuple[str, ...]:
    """References as clients write them: the first mail, then the most recent ones (at most 10)."""
    if len(ancestors) <= 10:
        return tuple(ancestors)
    kept = list(ancestors[-9:])
    return (ancestors[0], *kept) if rng.random() < 0.9 else tuple(kept)


def threaded_mailbox(
    count: int, address: str, *, seed: int = 11, crm_roots: Sequence[CrmRoot] = (), prefix: str = TOKEN_PREFIX
) -> ThreadedMailbox:
    """About ``count`` delivered mails in threads of 1 to 60 mails."""
    rng = random.Random(seed)
    mailbox = ThreadedMailbox()
    delivered = 0
    thread = 0
    events: list[tuple[dt.datetime, int]] = []  # (time, index in mailbox.mails)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    while delivered < count:
        thread += 1
        size = min(count - delivered, max(1, int(rng.paretovariate(1.2))), 60)
        root = crm_roots[thread % len(crm_roots)] if crm_roots and rng.random() < 0.3 else None
        subject = f"Order {thread} {rng.choice(['chairs', 'tables', 'invoice', 'delivery'])}"
        token = root.activity_id if root else None
        if root is not None:
            subject = root.subject
        # node: (message id, ancestors (first mail first), time)
        nodes: list[tuple[str, tuple[str, ...], dt.datetime]] = []
        first_time = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 90))
        if root is not None:
            nodes.append((root.message_id, (), first_time))
        made = 0
        while made < size:
            n = len(mailbox.mails)
            message_id = f"<t{thread}.{n}.{rng.getrandbits(32):08x}@customer{thread % 17}.test>"
            if not nodes:  # the first mail of a conversation from outside
                parent_id, ancestors, when = message_id, (), first_time
            else:
                # deep chains mostly (answer the latest), some branches
                parent_id, parent_ancestors, parent_time = nodes[-1] if rng.random() < 0.7 else rng.choice(nodes)
                ancestors = (*parent_ancestors, parent_id)
                when = parent_time + dt.timedelta(minutes=rng.randint(1, 60 * 24 * 3))
            is_reply = parent_id != message_id
            headers = rng.random()
            in_reply_to: str | None = None
            references: tuple[str, ...] = ()
            if is_reply:
                if token is not None and headers < 0.08:
                    pass  # a client that keeps only the subject (and its token)
                elif headers < 0.80:
                    in_reply_to, references = parent_id, _references(ancestors, rng)
                elif headers < 0.90:
                    references = _references(ancestors, rng)
                else:
                    in_reply_to = parent_id
            # some clients rewrite the subject and lose the token: then only the headers tell
            keeps_token = token is not None and (not is_reply or (in_reply_to is None and not references))
            mail_token = token if keeps_token or (token is not None and rng.random() < 0.5) else None
            mail_subject = subject if mail_token is not None or root is None else f"Your offer, conversation {thread}"
            # some mail of a conversation is not in this mailbox (the user's own replies, kept elsewhere)
            shown = not is_reply or rng.random() >= 0.04
            sender = f"customer{thread % 23}@customer{thread % 17}.test" if n % 2 else "alice.seller@example.test"
            head = [
                f"From: {sender}",
                f"To: {address}",
                f"Subject: {'RE: ' if is_reply else ''}{mail_subject}",
                f"Message-ID: {message_id}",
                f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
            ]
            if in_reply_to:
                head.append(f"In-Reply-To: {in_reply_to}")
            if references:
                head.append("References: " + "\r\n ".join(references))
            body = f"Message {n} of conversation {thread}.\r\n"
            raw = ("\r\n".join(head) + "\r\n\r\n" + body).encode()
            mail = ThreadedMail(
                message_id=message_id,
                raw=raw,
                in_reply_to=in_reply_to,
                references=references,
                token=mail_token,
                parent=parent_id,
                delivered=shown,
            )
            mailbox.mails.append(mail)
            events.append((when, len(mailbox.mails) - 1))
            nodes.append((message_id, ancestors, when))
            made += 1
            if shown:
                delivered += 1
    # the server receives mail by time; parents come before their replies (times grow down a thread)
    by_time = [mailbox.mails[i] for _, i in sorted(events)]
    mailbox.mails = by_time
    return mailbox


def expected_correlations(
    mails: Sequence[ThreadedMail], tracked: Collection[str], crm: Mapping[int, str]
) -> dict[str, tuple[str, str] | None]:
    """Message-ID -> (method, Message-ID of the mail it correlates to), or None, for each delivered mail,
    as if every mail before it had been imported earlier. ``tracked``: the Message-IDs of tracked mail
    (CRM roots included); ``crm``: activity id -> Message-ID of the mail sent from the CRM."""
    expected: dict[str, tuple[str, str] | None] = {}
    for mail in mails:
        if not mail.delivered:
            continue
        found: tuple[str, str] | None = None
        if mail.in_reply_to is not None and mail.in_reply_to in tracked:
            found = ("in_reply_to", mail.in_reply_to)
        elif mail.token is not None and mail.token in crm:
            found = ("tracking_token", crm[mail.token])
        else:
            nearest = next((m for m in reversed(mail.references) if m in tracked), None)
            if nearest is not None:
                found = ("references", nearest)
        expected[mail.message_id] = found
    return expected


def tracked_under_replies(mails: Sequence[ThreadedMail], crm: Mapping[int, str]) -> set[str]:
    """The Message-IDs the "replies" choice tracks: mail that continues a tracked conversation (the CRM's
    mail first), decided in thread order."""
    tracked = set(crm.values())
    for mail in mails:  # thread order: parents first
        if not mail.delivered:
            continue
        if expected_correlations([mail], tracked, crm)[mail.message_id] is not None:
            tracked.add(mail.message_id)
    return tracked


# --- the store's side


def sql(db: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = make_sync_engine(resolve_url(db))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def add_crm_roots(db: str, count: int) -> list[CrmRoot]:
    """Mail sent from the CRM earlier, that conversations of the mailbox continue."""
    roots = []
    for n in range(count):
        message_id = f"<crm.{n}@example.test>"
        sql(
            db,
            "INSERT INTO email_activities (direction, status, subject, message_id, send_attempts, created_at,"
            " modified_at) VALUES ('outgoing', 'sent', 'pending', :message_id, 0, :now, :now)",
            message_id=message_id,
            now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        )
        [(activity_id,)] = sql(db, "SELECT id FROM email_activities WHERE message_id = :m", m=message_id)
        assert isinstance(activity_id, int)
        subject = f"Offer {n} {tracking_token('CRM:', activity_id)}"
        sql(db, "UPDATE email_activities SET subject = :s WHERE id = :i", s=subject, i=activity_id)
        roots.append(CrmRoot(activity_id, message_id, subject))
    return roots


def correlations(db: str) -> dict[str, tuple[str, str] | None]:
    """Message-ID -> (method, Message-ID of the activity it correlates to) of every incoming activity."""
    rows = sql(
        db,
        "SELECT a.message_id, a.correlation_method, p.message_id FROM email_activities a "
        "LEFT JOIN email_activities p ON p.id = a.correlated_activity_id WHERE a.direction = 'incoming'",
    )
    found: dict[str, tuple[str, str] | None] = {}
    for message_id, method, parent in rows:
        assert isinstance(message_id, str)
        found[message_id] = (str(method), str(parent)) if method is not None else None
    return found


def order_on_server(
    host: str, port: int, login: str, password: str, mails: Sequence[ThreadedMail]
) -> list[ThreadedMail]:
    """``mails`` in the order of their UIDs in the INBOX: a Maildir delivery does not keep the order
    the files were written in, and the engine reads by UID."""
    imap = imaplib.IMAP4(host, port, timeout=300)
    try:
        imap.login(login, password)
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    finally:
        imap.logout()
    by_id = {mail.message_id: mail for mail in mails}
    ordered = []
    for part in data:
        if isinstance(part, tuple):
            found = re.search(rb"<[^>]+>", part[1])
            if found is not None:
                ordered.append(by_id[found.group().decode()])
    return ordered
