"""The leftovers of issue #12 in the French migration wizard: a created profile's technical summary, and
several problems joined in one warning, read in French piece by piece (through domain/migration_texts.py)."""

from __future__ import annotations

import dataclasses
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_sync.adapters.email_router_files import parse_agent_config
from desktop_sync.domain.email_router import AGENT_FILE, RouterFiles, StoreSnapshot, WarningCode, analyze
from desktop_sync.domain.email_router.rendering import profile_summary
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import (
    MAX_LISTED_PROBLEMS,
    MIGRATION_TEXTS,
    PROFILE_SETTINGS,
    joined_problems,
    migration_text,
    setting_refused,
)
from desktop_sync.domain.model import AuthMethod, CredentialsOn, ProfileKind, Security
from desktop_sync.domain.validation import FIELD_ERRORS, ProfileInput, validate_profile
from desktop_sync.ui.explanations import localize_migration_text

GENERATED = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
plain_facts = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-@[]", min_size=1, max_size=30)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,15}\.contoso\.test", fullmatch=True)
# what the English summary says, none of which may be left in the French one
ENGLISH_SUMMARY_WORDS = ("incoming", "outgoing", "credentials on the", "allow insecure", "auth ", "no outgoing server")
JOINS = ("warning_blocked",)  # made around other texts, not problems of their own


def _names(template_text: str) -> list[str]:
    return list(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template_text) if name))


@GENERATED
@given(
    kind=st.sampled_from(ProfileKind),
    host=hosts,
    port=st.sampled_from([None, 993, 995, 143, 110, 8443]),
    security=st.sampled_from(Security),
    outgoing=st.none() | hosts,
    outgoing_security=st.sampled_from(Security),
    auth=st.sampled_from(AuthMethod),
    credentials_on=st.sampled_from(CredentialsOn),
    login=st.none() | st.sampled_from(["CONTOSO\\svc-crm", "svc@contoso.test"]),
    allow_insecure=st.booleans(),
)
def test_a_created_profiles_summary_reads_in_french(french: None, **facts: Any) -> None:
    kind = facts["kind"]
    data = ProfileInput(
        name="Migrated",
        kind=kind,
        incoming_host=None if kind is ProfileKind.EXCHANGE else facts["host"],
        incoming_port=None if kind is ProfileKind.EXCHANGE else facts["port"],
        incoming_security=facts["security"],
        outgoing_host=None if kind is ProfileKind.EXCHANGE else facts["outgoing"],
        outgoing_port=587 if facts["outgoing"] and kind is not ProfileKind.EXCHANGE else None,
        outgoing_security=facts["outgoing_security"],
        ews_url=f"https://{facts['host']}/EWS/Exchange.asmx" if kind is ProfileKind.EXCHANGE else None,
        auth=facts["auth"],
        credentials_on=facts["credentials_on"],
        login=facts["login"] if facts["credentials_on"] is CredentialsOn.PROFILE else None,
        allow_insecure=facts["allow_insecure"],
    )
    try:
        profile = validate_profile(data)
    except ValidationError:
        return  # a combination no profile can have: the migration never creates it
    english = profile_summary(profile)
    shown = localize_migration_text(english)
    assert shown != english
    for word in ENGLISH_SUMMARY_WORDS:
        assert word not in shown, (word, shown)
    for fact in (profile.kind.value, profile.auth.value, profile.incoming.security.value, profile.login):
        if fact:
            assert fact in shown


piece_codes = st.sampled_from(
    sorted(c for c in MIGRATION_TEXTS if c not in JOINS and not c.startswith(("problems_", "setting_refused_")))
)


@st.composite
def pieces(draw: st.DrawFn) -> str:
    code = draw(piece_codes)
    return migration_text(code, **{name: draw(plain_facts) for name in _names(MIGRATION_TEXTS[code])})


@GENERATED
@given(
    outer=st.sampled_from(["provider_unusable", "provider_unusable_address", "mailbox_not_migrated", None]),
    problems=st.lists(pieces(), min_size=2, max_size=MAX_LISTED_PROBLEMS),
)
def test_problems_joined_in_one_warning_read_in_french_piece_by_piece(
    french: None, outer: str | None, problems: list[str]
) -> None:
    reason = joined_problems(problems)
    assert reason == "; ".join(f"({n}) {problem}" for n, problem in enumerate(problems, 1))
    if outer is None:
        english = reason
    else:
        facts = {name: "x@contoso.test" for name in _names(MIGRATION_TEXTS[outer])}
        facts.update({name: reason for name in ("problem", "reason") if name in facts})
        english = migration_text(outer, **facts)
    shown = localize_migration_text(english)
    for problem in problems:
        assert localize_migration_text(problem) in shown, (problem, shown)
        assert problem not in shown, (problem, shown)


field_error_codes = st.sampled_from(sorted(FIELD_ERRORS))


@GENERATED
@given(
    errors=st.lists(
        st.tuples(st.sampled_from(PROFILE_SETTINGS), field_error_codes),
        min_size=1,
        max_size=3,
        unique_by=lambda e: e[0],
    ),
    facts=plain_facts,
)
def test_a_profiles_several_field_errors_read_in_french_each(
    french: None, errors: list[tuple[str, str]], facts: str
) -> None:
    messages = [(field, FIELD_ERRORS[code].format_map(dict.fromkeys(_names(FIELD_ERRORS[code]), facts)))
                for field, code in errors]
    problem = joined_problems([setting_refused(f, m) for f, m in messages])
    if len(messages) == 1:
        assert problem == "{}: {}".format(*messages[0])  # one problem reads as the merge always said it
    shown = localize_migration_text(migration_text("profile_not_migrated", problem=problem))
    for field, message in messages:
        assert field in shown and message not in shown, (message, shown)
        assert localize_migration_text(message) in shown, (message, shown)


def test_a_provider_with_contradictions_is_refused_in_french_piece_by_piece(french: None) -> None:
    agent = parse_agent_config(
        b"<Configuration><SystemConfiguration/><ProviderConfiguration>"
        b"<ProviderClass>Microsoft.Crm.Tools.Email.Providers.Pop3PollingMailboxProvider</ProviderClass>"
        b"<ProviderClass>Microsoft.Crm.Tools.Email.Providers.ImapPollingMailboxProvider</ProviderClass>"
        b"<EmailServerUrl>pop3://pop.contoso.test</EmailServerUrl><EmailServerUrl>imaps://imap.contoso.test</EmailServerUrl>"
        b"<EmailAddress>alice@contoso.test</EmailAddress>"
        b"</ProviderConfiguration></Configuration>",
        AGENT_FILE,
    )
    reading = analyze([RouterFiles("router", agent, (), ())], StoreSnapshot())
    [warning] = [w for w in reading.warnings if w.code is WarningCode.PROVIDER_UNUSABLE]
    assert warning.message.count("two different") == 2 and "; " in warning.message
    shown = localize_migration_text(warning.message)
    assert "two different" not in shown and "not migrated" not in shown, shown
    assert shown.count("ProviderClass") == 1 and shown.count("EmailServerUrl") == 1


def test_every_setting_of_a_profile_has_its_refusal_text() -> None:
    assert set(PROFILE_SETTINGS) == {f.name for f in dataclasses.fields(ProfileInput)}
