"""Generated malformed and hostile mail: headers in obsolete or broken syntax, encoded words in any
charset, broken MIME trees, odd line endings, NULs, sizes, then random mutations of the bytes.

Drawn from a seeded ``random.Random``: Hypothesis picks the seeds (``generated_message``), and
the end-to-end tests deliver the same few hundred messages to a real server every run.
"""

from __future__ import annotations

import base64
import quopri
import random
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from desktop_sync.domain.correlation import MAX_ACTIVITY_ID, correlation_lookups, subject_key
from desktop_sync.domain.mail import ATTACHMENT_LIMIT_DEFAULT, ParsedEmail
from desktop_sync.domain.model import TrackingChoice
from desktop_sync.domain.ports.connectors import ItemFailure, RawMessage
from desktop_sync.domain.tracking import decide_tracking
from desktop_sync.engine.parsing import parse_item

T = TypeVar("T")


class Chooser:
    """Every choice the generator makes, from one seed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def choice(self, options: Sequence[T]) -> T:
        return options[self._rng.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def blob(self, max_size: int) -> bytes:
        return self._rng.randbytes(self._rng.randint(0, max_size))

    def text(self, alphabet: str, max_size: int) -> str:
        return "".join(self._rng.choices(alphabet, k=self._rng.randint(0, max_size)))


# --- pieces

HOSTILE_CHARS = "<>@[]()\"\\.,;: \t=?_%*'!#$&+/{}|~`^-" + "aZ09" + "é€\u200b\u202e\ufeff"
CHARSETS = [
    "utf-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "koi8-r",
    "iso-2022-jp",
    "utf-16",
    "utf-32",
    "utf-7",
    "x-unknown",
    "rot13",
    "idna",
    "hex",
    "base64",
    "zlib",
    "punycode",
    "unicode-escape",
    "raw-unicode-escape",
    "",
    '"',
    "utf-8'en'",
    "UTF8",
    "cp65001",
    "x-mac-roman",
    "gb2312",
]


def rare(c: Chooser) -> bool:
    """True one time in twenty: for the large inputs, which cost the parser most of its time."""
    return c.integer(0, 19) == 7  # not at a bound: Hypothesis draws bounds often, and shrinks towards 0


def hostile_text(c: Chooser, max_len: int = 40) -> str:
    return c.text(HOSTILE_CHARS, max_len)


def raw_bytes(c: Chooser, max_size: int = 24) -> bytes:
    """Bytes of any value, CR, LF and NUL included."""
    return c.blob(max_size)


def encoded_word(c: Chooser) -> str:
    charset = c.choice([*CHARSETS, "utf-8*fr", "utf-8?", "?"])
    encoding = c.choice(["Q", "B", "q", "b", "X", ""])
    text = c.choice(["hello", "caf=E9", "=FF=FE", "////", "!!!", "", "a_b", "=?", hostile_text(c, 12)])
    if encoding.upper() == "B" and c.integer(0, 1):
        text = base64.b64encode(hostile_text(c, 20).encode("utf-8")).decode()
    closing = c.choice(["?=", "?=", "", "?", "="])
    return f"=?{charset}?{encoding}?{text}{closing}"


def msg_id(c: Chooser) -> str:
    return c.choice(
        [
            lambda: f"<m{c.integer(0, 10**6)}@customer.test>",
            lambda: c.choice(["<@>", "<>", "<", ">", "<[>", "<@b>", "<a@>", "<a@[", "<a@[b", "<a@[]", "<a@b", "a@b"]),
            lambda: c.choice(["< a @ b >", "<a@b> (comment)", "(comment) <a@b>", '<"quoted local"@host>', "<a@b>>"]),
            lambda: c.choice(["<a..b@c>", "<.a@b>", "<a.@b>", "<a@b.>", "<a@[1.2.3.4]>", "<a@[IPv6:::1]>"]),
            lambda: "<" + hostile_text(c) + ">",
            lambda: hostile_text(c),
            lambda: "<" + "x" * (c.integer(900, 3000) if rare(c) else 60) + "@long.test>",
            lambda: " ".join(f"<r{n}@x>" for n in range(c.integer(0, 60 if rare(c) else 3))),
            lambda: encoded_word(c),
        ]
    )()


def address(c: Chooser) -> str:
    return c.choice(
        [
            lambda: "Carol <carol@customer.test>",
            lambda: '"Customer, Carol" <carol@customer.test>',
            lambda: "carol@customer.test (Carol)",
            lambda: c.choice(["undisclosed-recipients:;", "group: a@b.test, c@d.test;", "group: ;", ":;"]),
            lambda: c.choice(["<carol@customer.test", "@", "a@", "@b", '"unterminated <a@b.test>', "<>", "<@>"]),
            lambda: c.choice(["<@route.test:carol@customer.test>", "<@a,@b:c@d.test>", "carol@[127.0.0.1]"]),
            lambda: c.choice(["carol@bücher.test", "çarol@customer.test", "carol@xn--bcher-kva.test"]),
            lambda: encoded_word(c) + " <" + hostile_text(c, 10) + "@x.test>",
            lambda: hostile_text(c),
            lambda: ", ".join(f"p{n}@many.test" for n in range(c.integer(0, 300 if rare(c) else 3))),
        ]
    )()


def date(c: Chooser) -> str:
    return c.choice(
        [
            "Wed, 25 Nov 2026 10:00:00 +0000",
            "Wed, 25 Nov 26 10:00:00 EST",
            "25 Nov 2026 10:00 -0000",
            "Fri, 31 Dec 9999 23:59:59 -1200",
            "Mon, 1 Jan 0000 00:00:00 +0000",
            "Wed, 25 Nov 2026 10:00:00 +9999",
            "Wed, 31 Feb 2026 25:61:61 +0000",
            "the day after tomorrow",
            "",
            "1732528800",
            "Wed, 25 Nov 2026 10:00:00 +0000 (UTC) (extra",
            hostile_text(c),
        ]
    )


def subject(c: Chooser) -> str:
    pieces = [
        lambda: "Re: your order",
        lambda: encoded_word(c),
        lambda: f"CRM:{c.integer(0, 10**7):07d}",
        lambda: "CRM:" + "9" * c.integer(8, 60),  # a token no activity id can be
        lambda: "CRM:" + c.choice(["٠١٢٣٤٥٦٧", "１２３４５６７", "𝟏𝟐𝟑𝟒𝟓𝟔𝟕"]),  # digits of other scripts
        lambda: hostile_text(c),
        lambda: "A" * (c.integer(100, 20_000) if rare(c) else 100),
        lambda: "=?utf-8?q?a?= " * c.integer(1, 300 if rare(c) else 3),
    ]
    return " ".join(c.choice(pieces)() for _ in range(c.integer(0, 4)))


HEADER_VALUES = {
    "Message-ID": msg_id,
    "In-Reply-To": msg_id,
    "References": lambda c: " ".join(msg_id(c) for _ in range(c.integer(0, 5))),
    "From": address,
    "To": lambda c: ", ".join(address(c) for _ in range(c.integer(0, 3))),
    "Cc": address,
    "Bcc": address,
    "Reply-To": address,
    "Sender": address,
    "Date": date,
    "Subject": subject,
    "Content-ID": msg_id,
    "Resent-Message-ID": msg_id,
    "X-Junk": hostile_text,
}


def header_block(c: Chooser) -> list[bytes]:
    lines = []
    for name in c.choice([list(HEADER_VALUES), ["From", "Subject", "Message-ID", "Date"], ["Message-ID"]]):
        for _ in range(c.choice([1, 1, 1, 0, 2])):
            value = HEADER_VALUES[name](c)
            encoded = (
                value.encode("utf-8", errors="surrogateescape")
                if c.integer(0, 3)
                else value.encode("latin-1", "replace")
            )
            if c.integer(0, 7) == 0:
                encoded += raw_bytes(c, 8)
            if c.integer(0, 5) == 0:  # folded, or folded wrongly
                encoded = encoded.replace(b" ", c.choice([b"\r\n ", b"\r\n\t", b"\n ", b"\r\n"]), 2)
            lines.append(name.encode() + c.choice([b": ", b": ", b": ", b":", b":\t", b" : "]) + encoded)
    if c.integer(0, 9) == 0:
        lines.insert(c.integer(0, len(lines)), c.choice([b"no colon here", b": empty name", b"\tcontinuation", b"X:"]))
    return lines


def content_type(c: Chooser, multipart: bool, boundary: str) -> bytes:
    if multipart:
        kind = c.choice(
            ["multipart/mixed", "multipart/alternative", "multipart/related", "multipart/digest", "multipart/x"]
        )
        param = c.choice(
            [f'; boundary="{boundary}"', f"; boundary={boundary}", "", '; boundary=""', f"; boundary*0={boundary}"]
        )
        return f"Content-Type: {kind}{param}".encode()
    kind = c.choice(
        ["text/plain", "text/html", "application/pdf", "image/png", "message/rfc822", "text", "/", "a/b/c", ""]
    )
    params = ""
    for _ in range(c.integer(0, 3)):
        params += c.choice(
            [
                f"; charset={c.choice(CHARSETS)}",
                f'; charset="{c.choice(CHARSETS)}"',
                f'; name="{hostile_text(c, 15)}"',
                f"; name*=utf-8''{hostile_text(c, 10)}",
                "; name*0*=utf-8''a%ZZ; name*1=b",
                "; format=flowed; delsp=yes",
                f"; {hostile_text(c, 8)}",
            ]
        )
    return f"Content-Type: {kind}{params}".encode("utf-8", "surrogateescape")


def part_headers(c: Chooser) -> list[bytes]:
    lines = []
    if c.integer(0, 2) == 0:
        lines.append(
            b"Content-Disposition: "
            + c.choice([b"attachment", b"inline", b"", b"attachment;", b"form-data"])
            + c.choice(
                [
                    b"",
                    b'; filename="../../etc/passwd"',
                    b"; filename*=utf-8''..%2F..%2Fx",
                    b"; filename*0*=us-ascii'en'a; filename*2=c",
                    b'; filename="' + hostile_text(c, 20).encode() + b'"',
                    b'; filename="=?utf-8?q?=2E=2E=2Fx?="',
                ]
            )
        )
    if c.integer(0, 1):
        lines.append(
            b"Content-Transfer-Encoding: "
            + c.choice([b"base64", b"quoted-printable", b"7bit", b"8bit", b"binary", b"x-uuencode", b"bogus", b""])
        )
    if c.integer(0, 4) == 0:
        lines.append(b"Content-ID: " + msg_id(c).encode())
    return lines


def body(c: Chooser) -> bytes:
    text = hostile_text(c, 60).encode()
    return c.choice(
        [
            lambda: b"Please call me back.",
            lambda: text,
            lambda: base64.encodebytes(raw_bytes(c, 64)),
            lambda: b"!!!not*base64@@@=",
            lambda: quopri.encodestring(raw_bytes(c, 64)),
            lambda: b"=ZZ=\r\n=",
            lambda: raw_bytes(c, 200),
            lambda: b"begin 644 x\r\n" + raw_bytes(c, 40) + b"\r\nend",
            lambda: b"<html><body><p>hi</p><script>alert(1)</script>",
            lambda: b"x" * (c.integer(1000, 60_000) if rare(c) else 100),
        ]
    )()


def mime_entity(c: Chooser, depth: int) -> tuple[list[bytes], bytes]:
    """Headers and body of one entity; multiparts nest up to ``depth``."""
    if depth > 0 and c.integer(0, 2) == 0:
        boundary = c.choice(["B", "b1", "=_boundary", "", " ", "B" * 80, hostile_text(c, 10)])
        children = [mime_entity(c, depth - 1) for _ in range(c.integer(0, 3))]
        pieces = [c.choice([b"preamble\r\n", b""])]
        for child_headers, child_body in children:
            delimiter = c.choice(
                [
                    b"--" + boundary.encode("utf-8", "surrogateescape"),
                    b"--" + boundary.encode("utf-8", "surrogateescape") + b"  ",
                    b"--other",
                ]
            )
            pieces.append(delimiter + b"\r\n" + b"\r\n".join(child_headers) + b"\r\n\r\n" + child_body + b"\r\n")
        if c.integer(0, 3):
            pieces.append(b"--" + boundary.encode("utf-8", "surrogateescape") + b"--\r\n")
        return [b"MIME-Version: 1.0", content_type(c, True, boundary)], b"".join(pieces)
    headers = [content_type(c, False, ""), *part_headers(c)]
    if c.integer(0, 6) == 0:  # an embedded message
        inner_headers = header_block(c)
        inner_mime, inner_body = mime_entity(c, max(0, depth - 1))
        return [b"Content-Type: message/rfc822"], b"\r\n".join(inner_headers + inner_mime) + b"\r\n\r\n" + inner_body
    return headers, body(c)


def mutate(c: Chooser, data: bytes) -> bytes:
    for _ in range(c.choice([0, 0, 1, 2, 3])):
        at = c.integer(0, len(data))
        head, tail = data[:at], data[at:]
        kind = c.choice(["nul", "truncate", "insert", "drop", "cr", "blank line", "repeat"])
        if kind == "nul":
            data = head + b"\x00" + tail
        elif kind == "truncate":
            data = head
        elif kind == "insert":
            data = head + raw_bytes(c, 16) + tail
        elif kind == "drop":
            data = head + tail[1:]
        elif kind == "cr":
            data = head + b"\r" + tail
        elif kind == "blank line":
            data = head + b"\r\n\r\n" + tail
        else:
            data = head + head[-40:] + tail
    return data


def line_endings(c: Chooser, data: bytes) -> bytes:
    ending = c.choice([b"\r\n", b"\r\n", b"\n", b"\r", b"mixed"])
    if ending == b"\r\n":
        return data
    if ending == b"mixed":
        return b"".join(line + c.choice([b"\r\n", b"\n", b"\r"]) for line in data.split(b"\r\n"))
    return data.replace(b"\r\n", ending)


def hostile_message(c: Chooser) -> bytes:
    """One generated message; most are small, a few are tens of kilobytes."""
    headers = header_block(c)
    mime_headers, content = mime_entity(c, c.integer(0, 4))
    if c.integer(0, 9) == 0:
        content = b"\x00" + content
    raw = b"\r\n".join(headers + mime_headers) + b"\r\n\r\n" + content + b"\r\n"
    return mutate(c, line_endings(c, raw))


def generated_message(seed: int) -> bytes:
    """The message of ``seed``. Hypothesis draws seeds rather than the choices themselves: one draw
    an example instead of some two hundred (a draw costs it about 0.1 ms), so that ten thousand fit
    in the suite. A failure is reported with its seed; shrink its bytes by hand."""
    return hostile_message(Chooser(seed))


def generated_hostile(count: int, seed: int) -> list[bytes]:
    """``count`` generated messages, the same ones for the same seed."""
    chooser = Chooser(seed)
    return [hostile_message(chooser) for _ in range(count)]


# --- what the cycle does to one message on its own (parse, correlate, decide), without the store

TOKEN_PREFIX = "CRM:"
REGRESSIONS = Path(__file__).resolve().parent.parent / "regressions" / "mail"


def regression_samples() -> list[Path]:
    return sorted(REGRESSIONS.glob("*.eml"))


def storable_problems(email: ParsedEmail) -> list[str]:
    """What the store could not take as it is: over-long values, NUL (PostgreSQL refuses it in
    text), lone surrogates (no driver encodes them)."""
    problems = []
    texts: list[tuple[str, str | None, int | None]] = [
        ("message_id", email.message_id, 998),
        ("subject", email.subject, 4000),
        ("in_reply_to", email.in_reply_to, 998),
        ("body_text", email.body_text, None),
        ("body_html", email.body_html, None),
        *((f"reference {n}", r, 998) for n, r in enumerate(email.references)),
        *((f"{p.role.value} address", p.address, 320) for p in email.parties),
        *((f"{p.role.value} name", p.display_name, 200) for p in email.parties),
        *((f"attachment {n} name", a.filename, 255) for n, a in enumerate(email.attachments)),
        *((f"attachment {n} type", a.content_type, 200) for n, a in enumerate(email.attachments)),
        *((f"attachment {n} id", a.content_id, 998) for n, a in enumerate(email.attachments)),
    ]
    for name, value, limit in texts:
        if value is None:
            continue
        if limit is not None and len(value) > limit:
            problems.append(f"{name}: {len(value)} characters")
        if "\x00" in value:
            problems.append(f"{name}: a NUL")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            problems.append(f"{name}: lone surrogates")
    return problems


def through_the_item_steps(raw: bytes, server_id: str = "INBOX;1;7") -> ParsedEmail | ItemFailure:
    """One message through the per-item steps of the cycle; raises only if one of them does."""
    item = RawMessage(server_id, "INBOX", raw)
    result = parse_item(item, ATTACHMENT_LIMIT_DEFAULT)
    if isinstance(result, ItemFailure):
        return result
    lookups = correlation_lookups(result, TOKEN_PREFIX, smart_matching=True)
    for lookup in lookups:
        assert lookup.activity_id is None or 0 <= lookup.activity_id <= MAX_ACTIVITY_ID, lookup
    for choice in (*TrackingChoice, None):
        decide_tracking(choice, correlated=bool(lookups), sender_known=result.sender is not None)
    subject_key(result.subject, TOKEN_PREFIX)
    return result
