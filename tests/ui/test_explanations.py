"""Filling the catalogue's translated templates with an alert's facts, and reading the facts back out
of the English texts still handed over formatted: pure, with translations given as functions (no Qt,
no installed catalogue)."""

from __future__ import annotations

import itertools
import string
import xml.etree.ElementTree as ElementTree

import pytest

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.messages import LEGACY_TEXT, explain, known_codes, template, templates
from desktop_sync.domain.model import Alert, AlertScope, ProfileKind, Severity
from desktop_sync.domain.validation import FIELD_ERRORS, ProfileInput, field_error, validate_profile
from desktop_sync.resources import resource_path
from desktop_sync.ui.explanations import (
    CONTEXT,
    PARTS,
    explain_localized,
    localize_alert,
    localize_field_error,
    message_sources,
    pattern,
    placeholders,
    recover_facts,
)

# Facts as they come: spaces, colons, braces, brackets, regex metacharacters; the detail (the
# server's own words, always the last placeholder) also ": ", newlines and what looks like a template.
SAMPLE_FACTS = {
    "address": "jane.o'neil+crm@example.test",
    "server": "imap.example.test:993",
    "detail": "LOGIN failed: [AUTHENTICATIONFAILED] {user} (x.*?) $1 \\d\nsecond line: done.",
    "attempts": "12",
    "item": "INBOX;UIDVALIDITY=7:UID=42 {raw}",
    "profile": "Corp {Paris} (main)",
    "failing": "3",
    "total": "4",
    "old_owner": "Bob Smith <bob@example.test>",
    "new_owner": "Alice {A.} Martin <alice@example.test>",
    "other_address": "bob.smith@example.test",
    "field": "job_title",
    "record": "#42",
    "crm_value": "'Buyer (EMEA)'",
    "exchange_value": "'Head of {purchasing}'",
    "kept": "CRM",
    "conflict_id": "7",
    "kind": "contacts",
    "type": "contact",
    "changes": "delete 3 in Exchange, unlink 12",
    "removed": "15",
    "links": "40",
    "why": "because of changes in the CRM",
    "missing": "alice@example.test, bob@example.test and 2 more",
    "message_id": "'<1.2@example.test>'",
    "subject": "'Report {Q3} (final)'",
    "recipients": "alice@example.test, bob@example.test",
}
PARTS_OF_CATALOGUE = [(code, part) for code in sorted(known_codes()) for part in PARTS]


def alert(code: str, facts: dict[str, str], says: str | None = None) -> Alert:
    return Alert(Severity.WARNING, AlertScope.MAILBOX, code, facts, says=says)


def legacy(title: str, cause: str, fix: str) -> Alert:
    """An alert stored before store revision 0012, its sentences kept as its facts."""
    return alert("auth_failed", {"title": title, "cause": cause, "fix": fix}, says=LEGACY_TEXT)


def french_catalogue() -> dict[str, str]:
    """The committed French messages (the .ts itself, read without Qt)."""
    root = ElementTree.parse(resource_path("translations/desktop_sync_messages_fr.ts")).getroot()
    return {
        message.findtext("source", ""): message.findtext("translation", "")
        for context in root.iter("context")
        if context.findtext("name") == CONTEXT
        for message in context.iter("message")
    }


def test_every_placeholder_of_the_catalogue_has_a_sample_fact():
    named = {name for code in known_codes() for part in PARTS for name in placeholders(getattr(template(code), part))}
    assert named <= set(SAMPLE_FACTS), named - set(SAMPLE_FACTS)


@pytest.mark.parametrize(("code", "part"), PARTS_OF_CATALOGUE)
def test_the_facts_come_back_out_of_every_catalogue_text(code, part):
    english = getattr(template(code), part)
    text = getattr(explain(code, **SAMPLE_FACTS), part)
    recovered = recover_facts(english, text)
    assert recovered == {name: SAMPLE_FACTS[name] for name in placeholders(english)}


@pytest.mark.parametrize(("code", "part"), PARTS_OF_CATALOGUE)
def test_no_template_puts_two_placeholders_side_by_side(code, part):
    """Two facts with nothing between them could not be told apart: keep text between them."""
    parsed = list(string.Formatter().parse(getattr(template(code), part)))
    for before, after in itertools.pairwise(parsed):
        assert not (before[1] is not None and after[1] is not None and after[0] == ""), (code, part)


def test_a_repeated_placeholder_must_say_the_same_fact_twice():
    english = template("mailbox_unmapped").cause
    assert english.count("{address}") == 2
    same = english.format(address="a@x.test", old_owner="Bob", other_address="b@x.test")
    assert recover_facts(english, same) == {"address": "a@x.test", "old_owner": "Bob", "other_address": "b@x.test"}
    different = same.replace("so a@x.test stopped", "so c@x.test stopped")
    assert different != same and recover_facts(english, different) is None


def test_the_pattern_is_anchored_at_both_ends():
    english = template("auth_failed").title
    assert pattern(english).match(english)
    assert recover_facts(english, "Note: " + english) is None
    assert recover_facts(english, english + ".") is None


@pytest.mark.parametrize(("code", "part"), PARTS_OF_CATALOGUE)
def test_every_catalogue_text_reads_in_french_with_its_facts(code, part):
    french = french_catalogue()
    english = getattr(template(code), part)
    shown = localize_alert(alert(code, SAMPLE_FACTS), translate=lambda t: french.get(t, t), translate_fact=lambda t: t)
    assert getattr(shown, part) == french[english].format(**SAMPLE_FACTS)


def test_free_and_old_texts_are_shown_as_they_were_stored():
    french = french_catalogue()

    def translate(text: str) -> str:
        return french.get(text, text)

    stored = ("title auth_failed", "The server said no", "Call the admin")
    shown = localize_alert(legacy(*stored), translate=translate)
    assert (shown.title, shown.cause, shown.fix) == stored
    # an older wording of a known message is left alone too, never half translated
    older = "imap.example.test:993 did not accept the password of a@x.test: LOGIN failed"
    assert localize_alert(legacy("t", older, "f"), translate=translate).cause == older
    unknown = alert("unknown_code", {"detail": "anything at all"})
    assert localize_alert(unknown, translate=translate).cause == "anything at all"
    assert localize_alert(legacy("t", "", "f"), translate=translate).cause == ""


def test_a_text_stored_under_another_code_is_still_recognized():
    """A mailbox given up on keeps the error's code (auth_failed) and says retries_exhausted."""
    french = french_catalogue()
    facts = {"address": "a@x.test", "attempts": "5", "detail": "timed out"}
    shown = localize_alert(alert("auth_failed", facts, says="retries_exhausted"), translate=lambda t: french.get(t, t))
    assert shown.title == "Synchronisation arrêtée après des échecs répétés"
    assert shown.cause == "a@x.test a échoué 5 fois de suite (timed out) ; son canal a été désactivé."


def test_a_text_that_is_only_a_fact_is_never_taken_for_another_codes_message():
    french = french_catalogue()
    stored = "The server's certificate is not trusted"  # a detail that happens to read like a title
    shown = localize_alert(alert("not_supported", {"detail": stored}), translate=lambda t: french.get(t, t))
    assert shown.cause == stored


def test_a_translation_that_loses_or_invents_a_fact_is_not_used():
    facts = {"server": "s:1", "address": "a@x.test", "detail": "no"}
    stored = explain("auth_failed", **facts)
    lost = localize_alert(alert("auth_failed", facts), translate=lambda t: "Refusé : {detail}").cause
    invented = localize_alert(alert("auth_failed", facts), translate=lambda t: t + " {port}").cause
    broken = localize_alert(alert("auth_failed", facts), translate=lambda t: t + " {").cause
    assert lost == invented == broken == stored.cause


def test_english_facts_of_the_engine_are_translated_when_known():
    stored = alert("auth_failed", {"server": "the outgoing server", "address": "a@x.test", "detail": "535 no"})
    shown = localize_alert(
        stored,
        translate=lambda t: "{server} a refusé {address} : {detail}",
        translate_fact=lambda t: {"the outgoing server": "le serveur sortant"}.get(t, t),
    ).cause
    assert shown == "Le serveur sortant a refusé a@x.test : 535 no"  # it opens the sentence
    inside = localize_alert(
        stored,
        translate=lambda t: "{address} refusé par {server} : {detail}",
        translate_fact=lambda t: {"the outgoing server": "le serveur sortant"}.get(t, t),
    ).cause
    assert inside == "a@x.test refusé par le serveur sortant : 535 no"


def test_explain_localized_fills_the_translated_template_and_marks_missing_facts():
    french = french_catalogue()
    text = explain_localized("auth_failed", translate=lambda t: french.get(t, t), address="a@x.test", detail="no")
    assert text.title == "Le serveur a refusé les identifiants"
    assert text.cause == "? n'a pas accepté le nom d'utilisateur ou le mot de passe de a@x.test : no"
    assert explain_localized("no_such_code", detail="boom") == explain("no_such_code", detail="boom")


def test_the_message_sources_are_every_distinct_template_once():
    sources = [source for source, _ in message_sources()]
    assert len(sources) == len(set(sources))
    expected = {getattr(e, part) for e in templates().values() for part in PARTS if getattr(e, part)}
    assert set(sources) == expected


def test_a_checks_error_is_said_from_its_code_and_facts_not_read_back_from_its_words():
    value = "'a is not a valid email address'"  # a fact that reads like the template itself
    refused = field_error("address_invalid", value=value)
    assert refused == f"{value} is not a valid email address"  # the English text, as the CLI prints it
    assert (refused.code, dict(refused.facts)) == ("address_invalid", {"value": value})
    french = {FIELD_ERRORS["address_invalid"]: "{value} n'est pas une adresse e-mail valide"}
    shown = localize_field_error(refused, translate=lambda t: french.get(t, t))
    assert shown == f"{value} n'est pas une adresse e-mail valide"
    assert localize_field_error("a text of another origin", translate=lambda t: french.get(t, t)) == (
        "a text of another origin"
    )
    assert localize_field_error(refused, translate=lambda t: "{port} perdu") == refused  # a fact lost: English


def test_a_refused_profile_carries_each_fields_code_and_facts():
    with pytest.raises(ValidationError) as refused:
        validate_profile(ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.x.test", incoming_port=0))
    check = refused.value.checks["incoming_port"]
    assert check.code == "port_range" and dict(check.facts) == {"port": "0", "low": "1", "high": "65535"}
    assert refused.value.errors["incoming_port"] == "port 0 is outside 1-65535"
