"""The E-mail Router's own names: ``ProfileName`` names the router's profiles and so the migrated ones
("<incoming> + <outgoing>"); elements the reader does not know are reported once per file."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st
from migration.router_samples import EXCHANGE_SMTP, FORWARD, ONLINE, POP3_SMTP, SAMPLE_PROFILES, RouterFactory
from migration.test_reader import SNAPSHOT, read

from desktop_sync.adapters.email_router_files import parse_agent_config, parse_system_state
from desktop_sync.domain.email_router import (
    AGENT_FILE,
    PROFILE_NAME_MAX,
    STATE_FILE,
    RouterFiles,
    WarningCode,
    analyze,
)
from desktop_sync.domain.email_router.merge import with_entra_app
from desktop_sync.domain.email_router.model import EntraApp
from desktop_sync.domain.validation import validate_profile

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "reference" / "email-router"
AGENT_TEXT = (SAMPLE_DIR / AGENT_FILE).read_text(encoding="utf-8")
STATE = parse_system_state((SAMPLE_DIR / STATE_FILE).read_bytes(), STATE_FILE)


def reading_of(agent_text: str):  # type: ignore[no-untyped-def]
    """The reading of one router made of the sample with ``agent_text`` as its agent file, in memory."""
    agent = parse_agent_config(agent_text.encode("utf-8"), AGENT_FILE)
    return analyze([RouterFiles("router", agent, STATE, ())], SNAPSHOT)


def test_the_sample_profiles_are_named_after_the_routers_profiles(sample_router: Path) -> None:
    reading = read(sample_router)
    assert [p.name for p in reading.profiles] == SAMPLE_PROFILES
    assert EXCHANGE_SMTP == "Exchange 2010 Incoming + SMTP Outgoing"
    assert ONLINE == "Exchange Online Incoming + Exchange 2010 Outgoing"
    # one ProfileName over two sets of settings: told apart by what differs
    assert POP3_SMTP.startswith("POP3 Incoming (service account ") and FORWARD == "POP3 Incoming (mailbox credentials)"
    assert all(p.profile is not None and p.profile.name == p.name for p in reading.profiles if not p.needs_entra_app)
    assert all(p.data.name == p.name for p in reading.profiles)


def test_without_profile_names_the_type_and_host_name_them(make_router: RouterFactory) -> None:
    reading = read(make_router(edit=lambda t: re.sub(r"<ProfileName>[^<]*</ProfileName>", "", t)))
    assert [p.name for p in reading.profiles] == sorted(
        [
            "Exchange mail.contoso.local + SMTP smtp.contoso.local",
            "Exchange outlook.office365.com + Exchange mail.contoso.local",
            "POP3 pop.contoso-mail.net (mailbox credentials)",
            "POP3 pop.contoso-mail.net (service account CONTOSO\\svc-crmpop) + SMTP smtp.contoso.local",
        ],
        key=str.lower,
    )


def test_providers_of_one_group_under_several_names_keep_them_all(make_router: RouterFactory) -> None:
    def edit(text: str) -> str:  # bob's provider, same settings as alice's, carries another name
        return text.replace(
            "<EmailAddress>bob.brown@contoso.com</EmailAddress>\n    <ProfileName>Exchange 2010 Incoming</ProfileName>",
            "<EmailAddress>bob.brown@contoso.com</EmailAddress>\n    <ProfileName>Head Office</ProfileName>",
        )

    reading = read(make_router(edit=edit))
    assert "Exchange 2010 Incoming / Head Office + SMTP Outgoing" in [p.name for p in reading.profiles]


def test_unknown_elements_are_reported_once_per_file_not_on_every_profile(make_router: RouterFactory) -> None:
    def edit(text: str) -> str:  # every provider of every profile carries two unknown elements
        return text.replace(
            "<ProviderConfiguration>",
            "<ProviderConfiguration><MailboxQuota>5GB</MailboxQuota><Colour>blue</Colour>",
        )

    first, second = make_router(edit=edit), make_router(edit=edit)
    reading = read(first, second)
    unknown = [w for w in reading.warnings if w.code is WarningCode.UNKNOWN_ELEMENTS]
    assert len(unknown) == 2  # one per router's agent file
    assert all(w.profile is None and not w.blocking for w in unknown)
    for warning in unknown:
        assert warning.message.startswith(AGENT_FILE) or AGENT_FILE in warning.message.split(":")[0]
        assert "Colour ('blue'" in warning.message and "MailboxQuota ('5GB'" in warning.message
        assert "and 7 more" in warning.message  # 10 providers, the values listed 3 at a time
    assert all(w.code is not WarningCode.UNKNOWN_ELEMENTS for w in reading.warnings if w.profile is not None)


XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\ufffe", "\uffff"],
    ),
    max_size=300,
)


@settings(max_examples=1000, deadline=None)
@given(incoming=XML_TEXT, outgoing=XML_TEXT)
def test_generated_profile_names_name_valid_profiles_or_fall_back(incoming: str, outgoing: str) -> None:
    text = AGENT_TEXT.replace(
        "<ProfileName>Exchange 2010 Incoming</ProfileName>", f"<ProfileName>{escape(incoming)}</ProfileName>"
    ).replace("<ProfileName>SMTP Outgoing</ProfileName>", f"<ProfileName>{escape(outgoing)}</ProfileName>")
    reading = reading_of(text)

    assert len(reading.profiles) == 4  # the same four pairs, whatever they are called
    names = [p.name for p in reading.profiles]
    assert len({n.lower() for n in names}) == 4  # still unique
    for profile in reading.profiles:
        assert profile.name.isprintable() and profile.name == profile.name.strip() and profile.name
        assert len(profile.name) <= 200
        if profile.needs_entra_app:  # Exchange Online: valid once the plan gives it the Entra application
            profile = with_entra_app(profile, EntraApp("app-id", "contoso.onmicrosoft.com"))
        assert profile.profile is not None and profile.problem is None  # a name never makes a profile invalid
        validate_profile(profile.data)
    assert not any(w.code is WarningCode.UNKNOWN_ELEMENTS for w in reading.warnings)
    shown = " ".join(incoming.split())
    [exchange_in] = [p for p in reading.incoming if p.settings.host == "mail.contoso.local"]
    [exchange_pair] = [p for p in reading.profiles if p.incoming == exchange_in.label]
    assert exchange_pair.name.startswith(exchange_in.name)  # the merged profile is named after it
    if shown and all(c.isprintable() for c in shown) and len(shown) <= PROFILE_NAME_MAX:
        assert exchange_in.name.startswith(shown)
    elif not shown:
        assert exchange_in.name.startswith("Exchange mail.contoso.local")  # no name: type and host
    for router_profile in (*reading.incoming, *reading.outgoing):
        assert len(router_profile.name) <= PROFILE_NAME_MAX + 60  # the name, and what tells it apart
