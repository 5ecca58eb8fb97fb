"""The catalogue's texts (domain/messages.py) in the interface's language.

Alerts are stored as a code and its facts: the translated template of the code (context
``Messages``, catalogue ``desktop_sync_messages_<lang>.ts``) is filled with the facts when shown.
The texts of the checks, the connection steps and the migration, still handed over formatted, are
read back with a pattern per template (each ``{placeholder}`` a non-greedy named group, the rest
literal, anchored) and filled in again translated; a text that matches no template is shown as it
was given: English, never garbage.

All of it is pure: give ``translate`` to use it without Qt.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

from PySide6.QtCore import QCoreApplication

from desktop_sync.domain.errors import CheckText
from desktop_sync.domain.messages import LEGACY_TEXT, Explanation, explain, template, templates
from desktop_sync.domain.migration_texts import MIGRATION_TEXTS
from desktop_sync.domain.model import Alert
from desktop_sync.domain.ports.connectors import STEP_TEXTS
from desktop_sync.domain.validation import FIELD_ERRORS

CONTEXT = "Messages"
FACTS_CONTEXT = "MessageFacts"
FIELD_ERRORS_CONTEXT = "FieldErrors"  # the checks of what an admin types (domain/validation.py)
STEP_TEXTS_CONTEXT = "StepTexts"  # what a connection test says of each step (domain/connectors.py)
MIGRATION_TEXTS_CONTEXT = "MigrationTexts"  # what the E-mail Router migration says (domain/migration_texts.py)
Part = Literal["title", "cause", "fix"]
PARTS: tuple[Part, ...] = ("title", "cause", "fix")
Translate = Callable[[str], str]

# Facts the engine writes in English into texts (engine/outgoing.py names the SMTP side so);
# translated in context "MessageFacts" when a recovered fact is exactly one of them.
FACT_PHRASES = (
    "the outgoing server",
    # the record types and reasons of a safety stop (act_safety_stop); "contacts" is French too
    "appointments",
    "tasks",
    "the CRM has none of the user's records at all",
    "Exchange reports no item at all",
    "because of changes in the CRM",
    "because of changes in Exchange",
)


def qt_translate(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def qt_translate_fact(text: str) -> str:
    return QCoreApplication.translate(FACTS_CONTEXT, text)


def placeholders(template_text: str) -> list[str]:
    """The placeholders of ``template_text`` in order of appearance, repeats included."""
    return [field for _, field, _, _ in string.Formatter().parse(template_text) if field is not None]


def _same_facts(translated: str, names: Iterable[str]) -> bool:
    """Whether ``translated`` names exactly the facts ``names`` (a malformed one names none right)."""
    try:
        return set(placeholders(translated)) == set(names)
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def pattern(template_text: str) -> re.Pattern[str]:
    """The regular expression that reads the facts back out of ``template_text`` once formatted.

    A placeholder's first occurrence is a non-greedy named group, a later one a back-reference to
    it; the literal text between them is matched exactly, and the whole text must match."""
    parts = [r"\A"]
    seen: set[str] = set()
    for literal, field, _spec, _conversion in string.Formatter().parse(template_text):
        parts.append(re.escape(literal))
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"placeholder {{{field}}} of {template_text!r} is not a plain name")
        parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>.*?)")
        seen.add(field)
    parts.append(r"\Z")
    return re.compile("".join(parts), re.DOTALL)


def recover_facts(template_text: str, text: str) -> dict[str, str] | None:
    """The facts that ``template_text`` was filled with to give ``text``; None when it was not."""
    match = pattern(template_text).match(text)
    return None if match is None else match.groupdict()


def fill(template_text: str, facts: Mapping[str, str]) -> str | None:
    """``template_text`` with ``facts`` in place; None when it names a fact not given or is malformed."""
    try:
        return template_text.format_map(facts)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None


def localize_alert(
    alert: Alert,
    translate: Translate = qt_translate,
    translate_fact: Translate = qt_translate_fact,
) -> Explanation:
    """An alert's title, cause and fix in the interface's language: the translated templates of its
    code filled with its facts (a fact that is one of the engine's English phrases translated too).
    An alert stored before alerts kept their facts shows its English sentences as they were written."""
    if alert.text_code == LEGACY_TEXT:
        return alert.explanation()
    facts = {name: translate_fact(value) for name, value in alert.facts.items()}
    return explain_localized(alert.text_code, translate, _opening=alert.facts, **facts)


class _Facts(dict[str, str]):
    """As in domain/messages.py: a fact not given reads as "?" rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def explain_localized(
    code: str, translate: Translate = qt_translate, _opening: Mapping[str, str] | None = None, **facts: str
) -> Explanation:
    """``domain.messages.explain`` in the interface's language: the translated templates filled
    with ``facts`` (English where a template has no usable translation). ``_opening`` holds the facts
    before translation: one translated that opens a sentence gets a capital ("Le serveur sortant ...")."""
    english = template(code)
    if english is None:
        return explain(code, **(dict(_opening) if _opening is not None else facts))
    texts: dict[str, str] = {}
    for part in PARTS:
        source = getattr(english, part)
        translated = translate(source)
        if translated == source or not _same_facts(translated, placeholders(source)):
            values = _Facts(_opening if _opening is not None else facts)  # English: the facts as they were
            texts[part] = source.format_map(values)
            continue
        values = _Facts(facts)
        first = placeholders(translated)[:1]
        if _opening is not None and first and translated.startswith("{") and first[0] in facts:
            name = first[0]
            if values[name] != _opening.get(name, values[name]):
                values[name] = values[name][:1].upper() + values[name][1:]  # a phrase opens the sentence
        texts[part] = fill(translated, values) or source.format_map(values)
    return Explanation(**texts)


def qt_translate_field_error(text: str) -> str:
    return QCoreApplication.translate(FIELD_ERRORS_CONTEXT, text)


def qt_translate_step_text(text: str) -> str:
    return QCoreApplication.translate(STEP_TEXTS_CONTEXT, text)


def _localize_known(text: str, known: Iterable[str], translate: Translate) -> str:
    """``text`` when it is one of the templates ``known`` filled in, translated with the same facts;
    any other text (or one without a usable translation) as it is."""
    for template_text in known:
        facts = recover_facts(template_text, text)
        if facts is None:
            continue
        translated = translate(template_text)
        if translated == template_text or not _same_facts(translated, facts):
            return text
        return fill(translated, facts) or text
    return text


def localize_field_error(text: str, translate: Translate = qt_translate_field_error) -> str:
    """A check's error in the interface's language: the translated template of its code filled with
    its facts (a CheckText of domain/validation.py); a text of any other origin as it is."""
    if not isinstance(text, CheckText) or text.code not in FIELD_ERRORS:
        return str(text)
    english = FIELD_ERRORS[text.code]
    translated = translate(english)
    if translated == english or not _same_facts(translated, placeholders(english)):
        return str(text)
    return fill(translated, text.facts) or str(text)


def localize_step_text(text: str, translate: Translate = qt_translate_step_text) -> str:
    """A connection test step's detail (one of domain/connectors.py's STEP_TEXTS) in the interface's
    language; a server's own words stay as they are."""
    return _localize_known(text, _steps_longest_first(), translate)


@functools.cache
def _steps_longest_first() -> tuple[str, ...]:
    # "connected to {address} port {port}: {greeting}" before "... port {port}", which would
    # otherwise take the greeting into {port}
    return tuple(sorted(STEP_TEXTS.values(), key=len, reverse=True))


def qt_translate_migration_text(text: str) -> str:
    return QCoreApplication.translate(MIGRATION_TEXTS_CONTEXT, text)


def localize_migration_text(
    text: str,
    translate: Translate = qt_translate_migration_text,
    translate_field_error: Translate = qt_translate_field_error,
    depth: int = 3,
) -> str:
    """A migration warning, reason or result (one of domain/migration_texts.py's MIGRATION_TEXTS, filled)
    in the interface's language. A fact that is itself one of these texts (the reason inside "not
    migrated: {problem}") or a form field's error is translated too; any other text stays as it is."""
    parsed = _parse_migration_text(text, depth)
    if parsed is None:
        if isinstance(text, CheckText):
            return localize_field_error(text, translate_field_error)
        return _localize_known(text, FIELD_ERRORS.values(), translate_field_error)
    _, template_text, facts = parsed
    translated = translate(template_text)
    if translated == template_text or not _same_facts(translated, facts):
        return text
    if depth > 0:
        facts = {
            name: localize_migration_text(value, translate, translate_field_error, depth - 1)
            for name, value in facts.items()
        }
    return fill(translated, facts) or text


@functools.lru_cache(maxsize=4096)
def _parse_migration_text(text: str, depth: int) -> tuple[int, str, dict[str, str]] | None:
    """The template ``text`` was made from, with its facts, and how much of the text templates explain.

    Texts nest ("{address}: not migrated: {problem}" around "its profile {profile} is ..."), so a text
    may match several templates, a placeholder taking in another template's words; the reading kept is
    the one whose templates, its facts' included, account for the most literal text."""
    best: tuple[int, str, dict[str, str]] | None = None
    for template_text in MIGRATION_TEXTS.values():
        facts = recover_facts(template_text, text)
        if facts is None:
            continue
        score = _literal_length(template_text)
        if depth > 0:
            for value in facts.values():
                inner = _parse_migration_text(value, depth - 1)
                score += inner[0] if inner is not None else 0
        if best is None or score > best[0]:
            best = (score, template_text, facts)
    return best


@functools.cache
def _literal_length(template_text: str) -> int:
    return sum(len(literal) for literal, *_ in string.Formatter().parse(template_text))


def migration_text_sources() -> list[tuple[str, str]]:
    """Every template of domain/migration_texts.py's MIGRATION_TEXTS with its code, for the catalogue."""
    return [(text, code) for code, text in MIGRATION_TEXTS.items()]


def field_error_sources() -> list[tuple[str, str]]:
    """Every template of domain/validation.py's FIELD_ERRORS with its code, for the catalogue."""
    return [(text, code) for code, text in FIELD_ERRORS.items()]


def step_text_sources() -> list[tuple[str, str]]:
    """Every template of domain/connectors.py's STEP_TEXTS with its code, for the catalogue."""
    return [(text, code) for code, text in STEP_TEXTS.items()]


def message_sources() -> list[tuple[str, list[str]]]:
    """Every distinct template of the catalogue with the ``code.part`` names that use it, in order:
    what desktop_sync_messages_<lang>.ts must translate (scripts/update-message-translations)."""
    used: dict[str, list[str]] = {}
    for code, explanation in templates().items():
        for part in PARTS:
            text = getattr(explanation, part)
            if text:
                used.setdefault(text, []).append(f"{code}.{part}")
    return list(used.items())
