"""Every code the product can raise has its title, cause and fix in English and in French.

The codes are read from the source (tests/domain/raised_codes.py), not listed by hand: a new error
class, ``code=...`` argument or alert without a catalogue entry fails here the day it is written.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from desktop_sync.domain.messages import LEGACY_TEXT, explain, known_codes, template
from desktop_sync.domain.model import Alert, AlertScope, RecordType, Severity
from desktop_sync.domain.validation import FIELD_ERRORS
from desktop_sync.resources import resource_path
from tests.domain.raised_codes import field_error_codes, raised_codes

MESSAGES_TS = resource_path("translations/desktop_sync_messages_fr.ts")
PARTS = ("title", "cause", "fix")

RAISED = raised_codes()
ERROR_CODES = sorted(code for code in RAISED if code not in FIELD_ERRORS)
# what an ACT item's failure says, by record type (engine/act_cycle.py names it with an f-string)
ACT_TEXTS = [f"act_{record_type.value}_failed" for record_type in RecordType if record_type.value in
             ("appointment", "contact", "task")]  # fmt: skip


def french(context: str) -> dict[str, str | None]:
    """The finished French translations of ``context`` in the messages catalogue, read without Qt."""
    root = ElementTree.parse(MESSAGES_TS).getroot()
    found: dict[str, str | None] = {}
    for element in root.iter("context"):
        if element.findtext("name") != context:
            continue
        for message in element.iter("message"):
            translation = message.find("translation")
            finished = translation is not None and translation.get("type") is None and translation.text
            found[message.findtext("source", "")] = translation.text if finished and translation is not None else None
    return found


def test_the_codes_are_really_read_from_the_source():
    """A reader that found nothing would let every code through: it must find codes of each kind."""
    for code in ("auth_failed", "act_safety_stop", "engine_already_running", "retries_exhausted", "mail_failed"):
        assert code in RAISED, code
    assert {"profile_in_use_one", "port_range", "mailbox_exists"} <= set(field_error_codes()) | set(RAISED)


@pytest.mark.parametrize("code", [*ERROR_CODES, *ACT_TEXTS])
def test_every_raised_code_has_an_english_title_cause_and_fix(code):
    where = ", ".join(sorted(RAISED.get(code, {"engine/act_cycle.py"})))
    assert code in known_codes(), f"{code} (raised in {where}) has no entry in domain/messages.py"
    english = template(code)
    assert english is not None and english.title and english.cause and english.fix, code


@pytest.mark.parametrize("code", [*ERROR_CODES, *ACT_TEXTS])
def test_every_raised_code_reads_in_french(code):
    translated = french("Messages")
    english = template(code)
    assert english is not None, code
    for part in PARTS:
        source = getattr(english, part)
        assert translated.get(source), f"{code}.{part} has no finished French translation: {source!r}"


@pytest.mark.parametrize("code", sorted(set(field_error_codes()) | (set(RAISED) & set(FIELD_ERRORS))))
def test_every_check_raised_has_its_english_and_french_text(code):
    assert code in FIELD_ERRORS, f"field_error({code!r}) has no text in domain/validation.py"
    assert french("FieldErrors").get(FIELD_ERRORS[code]), f"{code} has no finished French translation"


def test_an_alert_renders_its_code_and_facts_and_an_old_alert_its_sentences():
    facts = {"address": "a@x.test", "server": "imap.x.test:993", "detail": "LOGIN failed"}
    alert = Alert(Severity.ERROR, AlertScope.MAILBOX, "auth_failed", facts)
    assert (alert.title, alert.cause, alert.fix) == tuple(getattr(explain("auth_failed", **facts), p) for p in PARTS)
    given_up = Alert(Severity.ERROR, AlertScope.MAILBOX, "auth_failed", {**facts, "attempts": "5"},
                     says="retries_exhausted")  # fmt: skip
    assert given_up.code == "auth_failed" and given_up.title == template("retries_exhausted").title
    assert "5 times" in given_up.cause
    sentences = {"title": "T", "cause": "C", "fix": "F"}
    old = Alert(Severity.WARNING, AlertScope.ITEM, "timeout", sentences, says=LEGACY_TEXT)
    assert (old.title, old.cause, old.fix) == ("T", "C", "F")
