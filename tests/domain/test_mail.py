"""Reading mail: what survives malformed input, and file names made safe."""

from __future__ import annotations

import pytest

from desktop_sync.domain.mail import MalformedMessage, parse_message, sanitize_filename


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\system32\\evil.exe", "evil.exe"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("report\x00.pdf", "report.pdf"),
        ("...hidden", "hidden"),
        ("", "attachment"),
        (None, "attachment"),
        ("../", "attachment"),
        ('a<b>c:"d|e?f*.txt', "abcdef.txt"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("facture été.pdf", "facture été.pdf"),
    ],
)
def test_file_names_are_sanitized(name: str | None, safe: str) -> None:
    assert sanitize_filename(name) == safe


def test_headers_only_and_missing_message_id() -> None:
    parsed = parse_message(b"Subject: hi\r\n\r\nbody")
    assert parsed.message_id.endswith("@desktop-sync.invalid>") and "MissingMessageId" in parsed.defects
    assert parse_message(b"Subject: hi\r\n\r\nbody").message_id == parsed.message_id  # stable


def test_empty_messages_are_malformed() -> None:
    with pytest.raises(MalformedMessage):
        parse_message(b"  \r\n")


def test_bad_charset_and_bad_base64_still_read() -> None:
    raw = (
        b"From: x@y.test\r\nSubject: =?x-unknown?q?abc?=\r\nMessage-ID: <c@y.test>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-nonsense\r\nContent-Transfer-Encoding: base64\r\n\r\n!!not base64!!\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "<c@y.test>"
    assert parsed.body_text is not None


def test_a_path_traversal_attachment_name_is_stored_safe() -> None:
    raw = (
        b"From: x@y.test\r\nMessage-ID: <a@y.test>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\r\n\r\nroot:x\r\n--B--\r\n'
    )
    [attachment] = parse_message(raw).attachments
    assert attachment.filename == "passwd"


@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:59:59 -2359", "garbage", "Mon, 99 Foo 99999"])
def test_unreadable_dates_are_no_dates(date: str) -> None:
    assert parse_message(f"Date: {date}\r\nSubject: x\r\n\r\nbody".encode()).sent_at is None


class TestSmartMatching:
    def test_subject_words_ignore_prefixes_case_spacing_and_the_token(self) -> None:
        from desktop_sync.domain.correlation import subject_key

        key = subject_key("Quote for Q4")
        assert key is not None
        variants = (
            "RE: quote for q4",
            "AW: Re: Fwd: Quote  for Q4!",
            "[EXT] RE[2]: Quote for Q4",
            "Quote for Q4 CRM:0001234",
        )
        for variant in variants:
            assert subject_key(variant, "CRM:") == key, variant
        assert subject_key("Quote for Q1") != key
        assert subject_key("Re: ") is None and subject_key("") is None

    def test_two_shared_addresses_are_needed_and_the_newest_wins(self) -> None:
        from desktop_sync.domain.correlation import smart_match

        mail = frozenset({"alice@example.test", "carol@customer.test", "dave@customer.test"})
        assert smart_match({1: {"alice@example.test"}}, mail) is None
        assert smart_match({1: {"alice@example.test", "carol@customer.test"}}, mail) == 1
        both = {3: {"alice@example.test", "dave@customer.test"}, 7: {"carol@customer.test", "dave@customer.test"}}
        assert smart_match(both, mail) == 7

    def test_the_lookup_comes_last_and_only_when_switched_on(self) -> None:
        from desktop_sync.domain.correlation import CorrelationMethod, correlation_lookups
        from desktop_sync.domain.mail import parse_message

        raw = (
            b"From: carol@customer.test\r\nTo: alice@example.test\r\nSubject: RE: Offer CRM:0000042\r\n"
            b"In-Reply-To: <a@x.test>\r\nMessage-ID: <b@x.test>\r\n\r\nhi\r\n"
        )
        email = parse_message(raw)
        assert [lookup.method for lookup in correlation_lookups(email, "CRM:")] == [
            CorrelationMethod.IN_REPLY_TO,
            CorrelationMethod.TRACKING_TOKEN,
        ]
        last = correlation_lookups(email, "CRM:", smart_matching=True)[-1]
        assert last.method is CorrelationMethod.SMART_MATCHING
        assert last.addresses == {"carol@customer.test", "alice@example.test"}
