"""Generated and mutated mail through the per-item steps of the cycle (parse, correlate, decide):
nothing raises out of them, a message is either read into storable values or refused by the parser
with a reason, and the parser never fails on one by surprise (which would still only cost that
message, see test_item_isolation.py, but means a shape to read better).

10,000 examples in the suite: 7,000 generated messages (four tests of 1,750, drawn by seed: the
cheap path, some 4 ms an example here) and 1,000 each of mutated mail, fuzzed headers and encoded
words (Hypothesis's own strategies, which shrink a failure; some 10 ms an example). Each test stays
under about 20 s. ``DESKTOP_SYNC_FUZZ_SCALE=10`` runs ten times as many. The suite's runs are
derandomized, the same every time; ``DESKTOP_SYNC_FUZZ_EXPLORE=1`` draws new ones. A failure
found either way goes, shrunk, into tests/regressions/mail.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.hostile_mail import (
    CHARSETS,
    HEADER_VALUES,
    HOSTILE_CHARS,
    generated_message,
    regression_samples,
    storable_problems,
    through_the_item_steps,
)
from support.scripted import message

from desktop_sync.domain.ports.connectors import ItemFailure

SCALE = float(os.environ.get("DESKTOP_SYNC_FUZZ_SCALE", "1"))
GENERATED_PARTS = 4


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=round(examples * SCALE),
        deadline=None,  # no timing in tests: the costs are measured in bench/
        derandomize=not os.environ.get("DESKTOP_SYNC_FUZZ_EXPLORE"),
        database=None,
        suppress_health_check=list(HealthCheck),
    )


pytestmark = pytest.mark.slow


def read_or_refused(raw: bytes) -> None:
    """The property: the item steps give storable values, or the parser's own refusal with a reason."""
    result = through_the_item_steps(raw)
    if isinstance(result, ItemFailure):
        assert result.code == "malformed_message", f"the parser failed by surprise: {result.reason}"
        assert result.reason
        return
    assert storable_problems(result) == []


@pytest.mark.parametrize("part", range(GENERATED_PARTS))
@fuzz(1750)
@given(seed=st.integers(0, 2**32 - 1))
def test_generated_hostile_messages(part: int, seed: int) -> None:
    # derandomized, each part would draw the same seeds: the part makes them other messages
    read_or_refused(generated_message(part << 32 | seed))


ORDINARY = message(1, to="inbox@example.test")
SEEDS = [ORDINARY, *(path.read_bytes() for path in regression_samples())]


@fuzz(1000)
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8), st.binary(max_size=12)), max_size=6),
)
def test_mutated_messages(seed: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    """Ordinary mail and every regression sample, with bytes cut out and others put in anywhere."""
    raw = seed
    for at, cut, inserted in edits:
        at = at % (len(raw) + 1)
        raw = raw[:at] + inserted + raw[at + cut :]
    read_or_refused(raw)


HEADER_NAMES = [*HEADER_VALUES, "Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "MIME-Version"]
header_text = st.text(alphabet=st.sampled_from(HOSTILE_CHARS) | st.characters(), max_size=80)


@fuzz(1000)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(HEADER_NAMES),
            header_text.map(lambda text: text.encode("utf-8", "surrogatepass")) | st.binary(max_size=80),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([b"\r\n", b"\n", b"\r"]),
)
@example([("Message-ID", b"<@relay.customer.test:4f2a9c@customer.test>")], b"\r\n")
def test_fuzzed_headers_on_an_ordinary_message(headers: list[tuple[str, bytes]], ending: bytes) -> None:
    """Message-ID, In-Reply-To, References, From/To/Cc, Date, Subject, the MIME headers: any text or
    bytes, put before an ordinary message's own (the parser reads the first of each)."""
    block = ending.join(name.encode() + b": " + value for name, value in headers)
    read_or_refused(block + ending + ORDINARY.replace(b"\r\n", ending))


encoded_words = st.builds(
    lambda charset, encoding, text: f"=?{charset}?{encoding}?{text}?=",
    st.sampled_from(CHARSETS),
    st.sampled_from(["Q", "B", "q", "b", "X"]),
    st.text(alphabet=st.sampled_from("=?_/+ABCXYZabcxyz0189é\x00"), max_size=30),
)


@fuzz(1000)
@given(
    st.lists(encoded_words | header_text, max_size=5).map(" ".join),
    st.sampled_from(CHARSETS),
    st.sampled_from(["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", "bogus"]),
    st.binary(max_size=300),
    st.sampled_from(["text/plain", "text/html", "multipart/alternative", "message/rfc822", "application/pdf"]),
)
def test_encoded_words_charsets_and_transfer_encodings(
    subject: str, charset: str, encoding: str, body: bytes, content_type: str
) -> None:
    raw = (
        f"From: {subject} <carol@customer.test>\r\nTo: inbox@example.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <fuzz@customer.test>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: {content_type}; charset="{charset}"; name="{subject}"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode("utf-8", "surrogatepass") + body
    read_or_refused(raw)
