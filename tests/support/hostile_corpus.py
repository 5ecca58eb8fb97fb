"""The hand-written corpus of malformed and hostile mail for the end-to-end import tests: each case is
raw bytes and what must become of it (imported, in the failed-item ledger, or either), with a check
of the imported activity where it matters. The generated corpus is ``hostile_mail.py``.
"""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[dict[str, Any]], None]


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


def overlong(name: str, header: bytes, **omit: bool) -> bytes:
    return headers(name, extra=header + b"\r\n", **omit) + b"\r\nbody\r\n"


def overlong_part(name: str, part_headers: bytes) -> bytes:
    return multipart(name, [part_headers + b"\r\nContent-Disposition: attachment\r\n\r\nzzz"])


def interleaved(count: int, hostile: list[bytes]) -> list[Case]:
    """``count`` ordinary mails with the hostile ones spread evenly among them (the first ordinary
    mails come before any hostile one: issue 11's mailbox stopped after its first 500)."""
    cases = [ordinary(n) for n in range(1, count + 1)]
    step = count / (len(hostile) + 1)
    for k, raw in reversed(list(enumerate(hostile, start=1))):
        cases.insert(round(k * step), Case(f"generated{k}", raw, outcome="either"))
    return cases
