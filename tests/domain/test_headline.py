"""What names an item to a person: a mail's subject, sender and date read from whatever bytes came,
and the English name the CLI and alerts give it (never its server reference)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.act import record_headline
from desktop_sync.domain.mail import HEADLINE_MAX_LENGTH, Headline, read_headline
from desktop_sync.domain.messages import name_item
from desktop_sync.domain.model import RecordType


def test_a_headline_is_read_from_the_header_block() -> None:
    raw = (
        b"From: =?utf-8?q?Ren=C3=A9e_Dubois?= <renee@customer.test>\r\n"
        b"Subject: =?utf-8?q?R=C3=A9union?=\r\n\tde lundi\r\n"
        b"Date: Tue, 01 Dec 2026 09:30:00 +0100\r\n"
        b"Content-Type: multipart/mixed; boundary=broken\r\n\r\n--broken\r\nno end"
    )
    assert read_headline(raw) == Headline(
        "Réunion de lundi", "Renée Dubois <renee@customer.test>", dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    )


def test_what_cannot_be_read_is_none_and_the_rest_stays() -> None:
    assert read_headline(b"") == Headline()
    assert read_headline(b"   \r\n") == Headline()
    assert read_headline(b"Subject: only this\r\nDate: yesterday-ish\r\n\r\n") == Headline("only this")
    long_subject = b"Subject: " + b"x" * 100_000 + b"\r\nFrom: a@b.test\r\n\r\n"
    headline = read_headline(long_subject)
    assert headline.subject == "x" * HEADLINE_MAX_LENGTH and headline.sender == "a@b.test"


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.tuples(
                st.sampled_from([b"Subject", b"From", b"Date", b"To", b"X-Other", b"subject", b"FROM"]),
                st.binary(max_size=200),
            ),
            max_size=8,
        ).map(lambda fields: b"".join(name + b": " + value + b"\r\n" for name, value in fields) + b"\r\nbody"),
    )
)
def test_any_bytes_give_a_headline_of_one_printable_bounded_line_and_never_raise(raw: bytes) -> None:
    headline = read_headline(raw)
    for text in (headline.subject, headline.sender):
        assert text is None or (0 < len(text) <= HEADLINE_MAX_LENGTH and text.isprintable() and text == text.strip())
    assert headline.date is None or headline.date.tzinfo is not None
    name = name_item(headline.subject, headline.sender, headline.date, "INBOX")
    assert name and "\n" not in name and "\r" not in name


def test_an_item_is_named_by_subject_sender_and_date() -> None:
    when = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    assert (
        name_item("Offer", "Dan <dan@customer.test>", when)
        == '"Offer" from Dan <dan@customer.test>, 2026-12-01 08:30 UTC'
    )
    assert name_item(None, None, when, "INBOX") == "(no subject), 2026-12-01 08:30 UTC"
    assert name_item(None, None, None, "INBOX") == "a message in INBOX"
    assert name_item(None) == "an item"
    assert name_item("Call Carol", date=dt.date(2026, 12, 3)) == '"Call Carol", 2026-12-03'


def test_records_are_named_by_title_and_their_date() -> None:
    start = dt.datetime(2026, 12, 8, 10, tzinfo=dt.UTC)
    assert record_headline(RecordType.APPOINTMENT, {"subject": "Review", "starts_at": start}) == ("Review", start)
    contact = {"first_name": "Carol", "last_name": "Smith", "email": "carol@customer.test"}
    assert record_headline(RecordType.CONTACT, contact) == ("Carol Smith <carol@customer.test>", None)
    assert record_headline(RecordType.CONTACT, {"email": "x@y.test"}) == ("x@y.test", None)
    assert record_headline(RecordType.TASK, {"subject": "Call", "due_at": start}) == ("Call", start)
    assert record_headline(RecordType.TASK, {}) == (None, None)
