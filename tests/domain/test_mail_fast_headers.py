"""Header values of the plainest shape are read as written, skipping the stdlib's header parser (half
of a message's parsing time): on generated values, both ways must read the same addresses, message
ids, subject and date, and a whole message must parse the same either way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from email import policy
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_sync.domain.mail import PLAIN_HEADERS, _message_ids, parse_message

EXAMPLES = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# characters that matter to the header grammars: specials, quotes, comments, encoded words, spaces
TRICKY = st.text(alphabet=st.sampled_from(list("aZ09_-+. ,<>@'\"=?()\\:;[]\t")), max_size=40)


def read(name: str, value: str) -> object:
    """What the parser reads of ``value`` as the product uses it."""
    if name in ("from", "to", "cc", "bcc"):
        return getaddresses([value])
    if name in ("message-id", "in-reply-to", "references"):
        return _message_ids(value)
    if name == "date":
        return _sent_at_of(value)
    return value


def _sent_at_of(value: str) -> dt.datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def through_the_parser(name: str, value: str) -> object:
    try:
        parsed = str(policy.default.header_factory(name, value))
    except Exception:  # the product then takes the value as written (and says so in the defects)
        parsed = value
    return read(name, parsed)


@EXAMPLES
@given(name=st.sampled_from(sorted(PLAIN_HEADERS)), value=TRICKY)
def test_a_value_of_plain_shape_reads_the_same_as_written_and_through_the_parser(name: str, value: str) -> None:
    if PLAIN_HEADERS[name].fullmatch(value):
        assert read(name, value) == through_the_parser(name, value)


# values of the plain shapes, built part by part (far quicker to draw than from the patterns)
_ATOM = st.text(alphabet="aZ09_-+", min_size=1, max_size=5)
_DOTTED = st.lists(_ATOM, min_size=1, max_size=3).map(".".join)
_DOMAIN = st.lists(st.text(alphabet="aZ09-", min_size=1, max_size=5), min_size=1, max_size=3).map(".".join)
_ID_DOMAIN = st.lists(st.text(alphabet="aZ09_-", min_size=1, max_size=5), min_size=1, max_size=3).map(".".join)
_SPACE = st.sampled_from(["", " ", "  "])
_ADDRESS = st.builds("{}@{}".format, _DOTTED, _DOMAIN)
_NAME = st.lists(st.text(alphabet="aZ09_-", min_size=1, max_size=6), min_size=1, max_size=3).map(" ".join)
_MAILBOX = st.builds(
    "{}{}{}".format,
    _SPACE,
    st.one_of(_ADDRESS, st.builds("{}{}<{}>".format, _NAME, st.sampled_from(["", " "]), _ADDRESS)),
    _SPACE,
)
_MESSAGE_ID = st.builds("<{}@{}>".format, _DOTTED, _ID_DOMAIN)
PLAIN = {
    "from": st.lists(_MAILBOX, min_size=1, max_size=3).map(",".join),
    "message-id": st.builds("{}{}{}".format, _SPACE, _MESSAGE_ID, _SPACE),
    "references": st.lists(_MESSAGE_ID, min_size=1, max_size=4).map(" ".join),
    "subject": st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40).filter(
        lambda v: "=?" not in v
    ),
    "date": st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
        lambda when: format_datetime(when.replace(microsecond=0, tzinfo=dt.UTC))
    ),
}
PLAIN |= {"to": PLAIN["from"], "cc": PLAIN["from"], "bcc": PLAIN["from"], "in-reply-to": PLAIN["references"]}


@EXAMPLES
@given(data=st.data(), name=st.sampled_from(sorted(PLAIN_HEADERS)))
def test_generated_plain_values_read_the_same_both_ways(data: st.DataObject, name: str) -> None:
    value = data.draw(PLAIN[name])
    assert PLAIN_HEADERS[name].fullmatch(value), value  # the plain shape indeed
    assert read(name, value) == through_the_parser(name, value)


def _message(headers: dict[str, str]) -> bytes:
    lines = [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\nbody\r\n").encode("utf-8", "surrogateescape")


LINE = st.text(max_size=30).filter(lambda v: "\r" not in v and "\n" not in v)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sender=st.one_of(TRICKY, PLAIN["from"]),
    to=st.one_of(TRICKY, PLAIN["to"], LINE),
    subject=st.one_of(TRICKY, LINE, PLAIN["subject"]),
    message_id=st.one_of(TRICKY, PLAIN["message-id"]),
    references=st.one_of(TRICKY, PLAIN["references"]),
    when=st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 1, 1), timezones=st.just(dt.UTC)),
    date_text=st.one_of(st.none(), TRICKY),
)
def test_a_message_parses_the_same_as_with_the_header_parser_alone(
    sender: str, to: str, subject: str, message_id: str, references: str, when: dt.datetime, date_text: str | None
) -> None:
    date = date_text if date_text is not None else format_datetime(when.replace(microsecond=0))
    headers = {"From": sender, "To": to, "Subject": subject, "Message-ID": message_id, "Date": date}
    raw = _message({**headers, "References": references, "In-Reply-To": references})
    fast = parse_message(raw)
    with mock.patch.dict(PLAIN_HEADERS, clear=True):  # every header through the stdlib's parser
        slow = parse_message(raw)
    # a date the parser cannot even read is said in the defects; either way it is no date
    assert dataclasses.replace(fast, defects=()) == dataclasses.replace(slow, defects=())
    assert set(slow.defects) - set(fast.defects) <= {"UnreadableDateHeader"}
    if date_text is None:
        assert fast.sent_at == when.replace(microsecond=0)


def test_the_shapes_are_anchored_to_the_whole_value() -> None:
    assert not PLAIN_HEADERS["to"].fullmatch("Alice <alice@example.test>, =?utf-8?q?B=C3=B6b?= <bob@example.test>")
    assert not PLAIN_HEADERS["subject"].fullmatch("Re: =?utf-8?q?caf=C3=A9?=")
    assert not PLAIN_HEADERS["message-id"].fullmatch("<@host>")
    assert re.fullmatch(PLAIN_HEADERS["references"], "<a.b@c.d> <e@f.g>")
