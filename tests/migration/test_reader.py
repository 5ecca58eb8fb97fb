"""The tolerant reader of E-mail Router files and the merge rules, on the shared samples and variants."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from migration.router_samples import (
    EXCHANGE_SMTP,
    FORWARD,
    ONLINE,
    POP3_SMTP,
    SAMPLE_PROFILES,
    SAMPLE_QUEUES,
    SAMPLE_USERS,
    SAMPLES,
    RouterFactory,
    sample_text,
)

from desktop_sync.adapters.email_router_files import parse_agent_config, parse_system_state
from desktop_sync.domain.email_router import (
    AGENT_FILE,
    KEY_FILE,
    STATE_FILE,
    MailboxKind,
    RouterFileError,
    RouterReading,
    StoreSnapshot,
    WarningCode,
    analyze,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import (
    AuthMethod,
    CredentialsOn,
    Endpoint,
    ProfileKind,
    Queue,
    QueueId,
    Security,
    User,
    UserId,
)
from desktop_sync.services.migration import read_router_files

USERS = tuple(
    User(email, name, crm_id, id=UserId(n)) for n, (email, (name, crm_id)) in enumerate(SAMPLE_USERS.items(), 1)
)
QUEUES = tuple(
    Queue(email, name, crm_id, id=QueueId(n)) for n, (email, (name, crm_id)) in enumerate(SAMPLE_QUEUES.items(), 1)
)
SNAPSHOT = StoreSnapshot(users=USERS, queues=QUEUES)


def read(*directories: Path, snapshot: StoreSnapshot = SNAPSHOT) -> RouterReading:
    return analyze(read_router_files(list(directories)), snapshot)


def codes(reading: RouterReading, profile: str | None) -> set[WarningCode]:
    return {w.code for w in reading.warnings_for(profile)}


def provider(body: str) -> str:
    return f"<ProviderConfiguration>{body}</ProviderConfiguration>"


def add_providers(text: str, *providers: str) -> str:
    return text.replace("</Configuration>", "".join(providers) + "</Configuration>")


def drop_provider(text: str, address: str) -> str:
    """The agent file without the provider that reads ``address``."""
    at = text.index(f"<EmailAddress>{address}</EmailAddress>")
    start = text.rindex("<ProviderConfiguration>", 0, at)
    end = text.index("</ProviderConfiguration>", at) + len("</ProviderConfiguration>")
    return text[:start] + text[end:]


# --- the shared samples ------------------------------------------------------------------------------


def test_the_samples_are_where_ci_expects_them() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.xml")) == sorted([AGENT_FILE, KEY_FILE, STATE_FILE])


def test_agent_file_sample_settings_and_providers() -> None:
    config = parse_agent_config((SAMPLES / AGENT_FILE).read_bytes(), AGENT_FILE)
    assert len(config.providers) == 10
    settings = {s.name: s.value for s in config.settings}
    assert settings["ConfigUpdatePeriod"] == "3600000"
    assert settings["ProviderOverrides/MaximumDeliveryAttempts"] == "10"
    assert config.unknown_settings == ()
    first = config.providers[0]
    assert first.email_address == "alice.adams@contoso.com"
    assert first.source.startswith(f"{AGENT_FILE}, line ")
    assert first.unknown == ()
    assert first.profile_name == "Exchange 2010 Incoming"  # the router's name of its profile
    pop3 = config.providers[3]
    assert pop3.has_password and pop3.email_user == "CONTOSO\\svc-crmpop"
    assert "kq3vA9o1cU0m2Hq7yZr1Xw==" not in repr(pop3)  # the encrypted password is never kept
    smtp = config.providers[8]
    assert len(smtp.user_ids) == 4 and smtp.queue_ids == ("7b1e4d20-19d8-e011-9077-00155d0a1b01",)


def test_system_state_sample_thresholds_from_escaped_xml() -> None:
    records = {r.address: r for r in parse_system_state((SAMPLES / STATE_FILE).read_bytes(), STATE_FILE)}
    assert len(records) == 8
    assert records["alice.adams@contoso.com"].threshold == dt.datetime(2016, 5, 10, 8, 15, 31, tzinfo=dt.UTC)
    dave = records["dave.davis@contoso.com"]
    assert dave.threshold is None and dave.threshold_raw == "0001-01-01T00:00:00"  # the "unset" value


def test_samples_router_profiles_merged_pairs_and_mailboxes(sample_router: Path) -> None:
    reading = read(sample_router)
    assert [p.label for p in reading.incoming] == [
        "Incoming Exchange 2010 Incoming",
        "Incoming Exchange Online Incoming",
        "Incoming POP3 Incoming (mailbox credentials)",  # one ProfileName, two sets of settings
        "Incoming POP3 Incoming (service account CONTOSO\\svc-crmpop)",
    ]
    assert [p.label for p in reading.outgoing] == [
        "Outgoing Exchange 2010 Outgoing",
        "Outgoing SMTP Outgoing",
    ]
    assert [p.name for p in reading.profiles] == SAMPLE_PROFILES
    assert all(p.profile is not None and p.problem is None for p in reading.profiles if p.name != ONLINE)
    online = reading.profile(ONLINE)  # Exchange Online: OAuth 2.0, completed by the plan with the Entra app
    assert online is not None and online.needs_entra_app and online.profile is None
    assert online.data.kind is ProfileKind.EXCHANGE_ONLINE and online.data.auth is AuthMethod.OAUTH2
    assert online.data.credentials_on is CredentialsOn.PROFILE and online.data.login is None

    exchange = reading.profile(EXCHANGE_SMTP)
    assert exchange is not None and exchange.profile is not None
    assert exchange.profile.kind is ProfileKind.EXCHANGE
    assert exchange.profile.ews_url == "https://mail.contoso.local/EWS/Exchange.asmx"
    assert exchange.profile.auth is AuthMethod.NTLM
    assert exchange.profile.credentials_on is CredentialsOn.MAILBOX

    pop3 = reading.profile(POP3_SMTP)
    assert pop3 is not None and pop3.profile is not None
    assert pop3.profile.kind is ProfileKind.POP3
    assert pop3.profile.incoming == Endpoint("pop.contoso-mail.net", 995, Security.TLS)
    assert pop3.profile.outgoing == Endpoint("smtp.contoso.local", 25, Security.NONE)
    assert pop3.profile.allow_insecure
    assert (pop3.profile.credentials_on, pop3.profile.login) == (CredentialsOn.PROFILE, "CONTOSO\\svc-crmpop")

    forward = reading.profile(FORWARD)
    assert forward is not None and forward.forward_only and forward.profile is not None
    assert forward.profile.outgoing is None

    mailboxes = {m.address: m for m in reading.mailboxes}
    assert [m.kind for m in reading.mailboxes][:2] == [MailboxKind.FORWARD, MailboxKind.QUEUE]
    assert mailboxes["sales@contoso.com"].profile == EXCHANGE_SMTP
    assert mailboxes["carol.clark@contoso.com"].profile == POP3_SMTP
    assert mailboxes["erin.evans@contoso.com"].profile == ONLINE
    assert mailboxes["erin.evans@contoso.com"].login == "erin.evans@contoso.com"
    assert mailboxes["crmforward@contoso.com"].profile == FORWARD
    assert mailboxes["dave.davis@contoso.com"].threshold_unset
    assert all(m.problem is None for m in reading.mailboxes)


def test_samples_warnings_beside_the_profiles_they_concern(sample_router: Path) -> None:
    reading = read(sample_router)
    assert codes(reading, EXCHANGE_SMTP) == {WarningCode.EXCHANGE_SMTP, WarningCode.LOCAL_SYSTEM}
    assert codes(reading, POP3_SMTP) == {
        WarningCode.NON_SSL,
        WarningCode.ANONYMOUS_SMTP,
        WarningCode.SHARED_POP3_ACCOUNT,
    }
    assert codes(reading, ONLINE) == {WarningCode.EXCHANGE_ONLINE_OAUTH, WarningCode.EXCHANGE_SERVERS_DIFFER}
    assert codes(reading, "Incoming Exchange 2010 Incoming") == set()
    assert not any(w.code is WarningCode.UNKNOWN_ELEMENTS for w in reading.warnings)  # ProfileName is read
    assert not any(w.blocking for w in reading.warnings)


def test_samples_accounts_asked_once_each_in_a_stable_order(sample_router: Path) -> None:
    reading = read(sample_router)
    assert [(a.scope, a.login) for a in reading.accounts] == [
        (CredentialsOn.PROFILE, "CONTOSO\\svc-crmpop"),
        (CredentialsOn.MAILBOX, "crmforward@contoso.com"),
    ]  # Exchange Online's mailboxes (erin, frank) sign in with OAuth 2.0: no password is asked
    assert reading.accounts[0].profiles == (POP3_SMTP,)


# --- hand-made variants ------------------------------------------------------------------------------


def test_lower_case_element_names_read_the_same(make_router: RouterFactory, sample_router: Path) -> None:
    def lower_tags(text: str) -> str:
        return re.sub(r"<(/?)([A-Za-z]+)>", lambda m: f"<{m.group(1)}{m.group(2).lower()}>", text)

    lowered = make_router(edit=lower_tags, state=lower_tags(sample_text(STATE_FILE)))
    expected, reading = read(sample_router), read(lowered)
    assert [p.name for p in reading.profiles] == [p.name for p in expected.profiles]
    assert [p.profile for p in reading.profiles] == [p.profile for p in expected.profiles]
    assert [(m.address, m.profile, m.threshold) for m in reading.mailboxes] == [
        (m.address, m.profile, m.threshold) for m in expected.mailboxes
    ]


def test_unknown_elements_are_kept_and_shown_never_used(make_router: RouterFactory) -> None:
    def edit(text: str) -> str:
        text = text.replace("<LogLevel>1</LogLevel>", "<LogLevel>1</LogLevel><MaxRetries>7</MaxRetries>")
        return text.replace(
            "<EmailAddress>alice.adams@contoso.com</EmailAddress>",
            "<EmailAddress>alice.adams@contoso.com</EmailAddress><MailboxQuota>5GB</MailboxQuota>",
        )

    reading = read(make_router(edit=edit))
    messages = [w.message for w in reading.warnings if w.code is WarningCode.UNKNOWN_ELEMENTS]
    assert any("MailboxQuota ('5GB')" in m for m in messages)
    general = [w.message for w in reading.warnings if w.code is WarningCode.UNKNOWN_SETTINGS]
    assert len(general) == 1 and "MaxRetries=7" in general[0]
    assert reading.routers[0].unknown_settings[0].name == "MaxRetries"
    assert [p.name for p in reading.profiles] == SAMPLE_PROFILES  # nothing else changed


def test_ids_and_addresses_that_match_nobody_are_reported_not_guessed(make_router: RouterFactory) -> None:
    snapshot = StoreSnapshot(users=tuple(u for u in USERS if not u.email.startswith("bob")), queues=QUEUES)

    def edit(text: str) -> str:
        return text.replace(
            "<QueueId>7b1e4d20-19d8-e011-9077-00155d0a1b01</QueueId>",
            "<QueueId>7b1e4d20-19d8-e011-9077-00155d0a1b01</QueueId>"
            "<UserId>{99999999-13d8-e011-9077-00155d0a1b01}</UserId><UserId>not-a-guid</UserId>",
        )

    reading = read(make_router(edit=edit), snapshot=snapshot)
    unmatched = reading.warnings_for("Outgoing SMTP Outgoing")
    text = next(w.message for w in unmatched if w.code is WarningCode.UNMATCHED_ID)
    assert "3 ids listed here match no user or queue" in text
    assert "user 3f2a9c11-13d8-e011-9077-00155d0a1b01" in text  # bob is not in this store
    assert "{99999999-13d8-e011-9077-00155d0a1b01}" in text and "'not-a-guid' (not a GUID)" in text
    bob = next(m for m in reading.mailboxes if m.address == "bob.brown@contoso.com")
    assert bob.kind is MailboxKind.UNMATCHED and bob.profile is None
    assert bob.problem is not None and "no user or queue has this address" in bob.problem
    assert all(m.owner is None or m.owner.email != "bob.brown@contoso.com" for m in reading.mailboxes)


def test_a_user_known_only_by_id_gets_an_incoming_only_or_outgoing_only_pair(make_router: RouterFactory) -> None:
    # erin has no incoming provider any more: Exchange outgoing only; carol has no outgoing one.
    def edit(text: str) -> str:
        text = drop_provider(text, "erin.evans@contoso.com")
        return text.replace("<UserId>3f2a9c12-13d8-e011-9077-00155d0a1b01</UserId>", "")

    reading = read(make_router(edit=edit))
    mailboxes = {m.address: m for m in reading.mailboxes}
    assert mailboxes["erin.evans@contoso.com"].profile == "Exchange 2010 Outgoing"  # outgoing only
    assert mailboxes["erin.evans@contoso.com"].incoming is None
    assert mailboxes["carol.clark@contoso.com"].profile == "POP3 Incoming (service account CONTOSO\\svc-crmpop)"


def test_webdav_provider_cannot_be_migrated_and_says_why(make_router: RouterFactory) -> None:
    webdav = provider(
        "<ProviderClass>Microsoft.Crm.Tools.Email.Providers.ExchangePollingMailboxProvider</ProviderClass>"
        "<EmailServerUrl>http://ex2003.contoso.local/exchange/</EmailServerUrl>"
        "<EmailAuthMode>WindowsAuthentication</EmailAuthMode>"
        "<EmailAddress>alice.adams@contoso.com</EmailAddress>"
    )

    def edit(text: str) -> str:  # alice moves to the WebDAV server
        text = text.replace(
            "<EmailAddress>alice.adams@contoso.com</EmailAddress>", "<EmailAddress>x@y.z</EmailAddress>"
        )
        return add_providers(text, webdav)

    reading = read(make_router(edit=edit))
    label = "Incoming Exchange WebDAV ex2003.contoso.local"
    warning = next(w for w in reading.warnings_for(label))
    assert warning.code is WarningCode.EXCHANGE_WEBDAV and warning.blocking
    alice = next(m for m in reading.mailboxes if m.address == "alice.adams@contoso.com")
    assert alice.profile is None and alice.problem is not None and "WebDAV" in alice.problem


def test_custom_provider_and_unusable_providers_are_reported(make_router: RouterFactory) -> None:
    custom = provider(
        "<ProviderAssembly>Fabrikam.Mail.dll</ProviderAssembly><ProviderClass>Fabrikam.Mail.Poller</ProviderClass>"
        "<EmailServerUrl>mail.fabrikam.test</EmailServerUrl><EmailAddress>carol.clark@contoso.com</EmailAddress>"
    )
    no_class = provider("<EmailAddress>nobody@contoso.com</EmailAddress>")

    def edit(text: str) -> str:
        text = text.replace(
            "<EmailAddress>carol.clark@contoso.com</EmailAddress>", "<EmailAddress>c@y.z</EmailAddress>"
        )
        return add_providers(text, custom, no_class)

    reading = read(make_router(edit=edit))
    custom_warning = next(w for w in reading.warnings if w.code is WarningCode.CUSTOM_PROVIDER)
    assert "Fabrikam.Mail.Poller" in custom_warning.message and custom_warning.blocking
    unusable = [w.message for w in reading.warnings if w.code is WarningCode.PROVIDER_UNUSABLE]
    assert any("nobody@contoso.com" in m and "no <ProviderClass>" in m for m in unusable)


def test_pop3_with_exchange_outgoing_warns_and_drops_outgoing(make_router: RouterFactory) -> None:
    def edit(text: str) -> str:  # carol and dave now send through the Exchange provider
        text = text.replace("<UserId>3f2a9c12-13d8-e011-9077-00155d0a1b01</UserId>", "")
        text = text.replace("<UserId>3f2a9c13-13d8-e011-9077-00155d0a1b01</UserId>", "")
        return text.replace(
            "<UserId>3f2a9c14-13d8-e011-9077-00155d0a1b01</UserId>",
            "<UserId>3f2a9c14-13d8-e011-9077-00155d0a1b01</UserId><UserId>3f2a9c12-13d8-e011-9077-00155d0a1b01</UserId>"
            "<UserId>3f2a9c13-13d8-e011-9077-00155d0a1b01</UserId>",
        )

    reading = read(make_router(edit=edit))
    name = "POP3 Incoming (service account CONTOSO\\svc-crmpop) + Exchange 2010 Outgoing"
    merged = reading.profile(name)
    assert merged is not None and merged.profile is not None and merged.profile.outgoing is None
    assert WarningCode.POP3_EXCHANGE in codes(reading, name)


def test_a_profile_that_fails_validation_is_reported_not_planned(make_router: RouterFactory) -> None:
    # POP3 with Windows authentication: Desktop Sync's POP3 signs in with user name and password only
    reading = read(
        make_router(
            edit=lambda t: t.replace("<EmailAuthMode>ClearText</EmailAuthMode>", "<EmailAuthMode>NTLM</EmailAuthMode>")
        )
    )
    merged = reading.profile(POP3_SMTP)
    assert merged is not None and merged.profile is None
    assert merged.problem is not None and "auth: ntlm authentication is for Exchange profiles" in merged.problem
    invalid = [w for w in reading.warnings_for(POP3_SMTP) if w.code is WarningCode.PROFILE_INVALID]
    assert invalid and invalid[0].blocking
    carol = next(m for m in reading.mailboxes if m.address == "carol.clark@contoso.com")
    assert carol.problem is not None and "cannot be migrated" in carol.problem
    assert all(a.login != "CONTOSO\\svc-crmpop" for a in reading.accounts)


def test_same_mailbox_with_different_settings_in_two_routers_is_a_conflict(make_router: RouterFactory) -> None:
    first = make_router()
    second = make_router(edit=lambda t: t.replace("https://mail.contoso.local/EWS", "https://mail2.contoso.local/EWS"))
    reading = read(first, second)
    alice = next(m for m in reading.mailboxes if m.address == "alice.adams@contoso.com")
    assert alice.problem is not None and "router profiles with different settings" in alice.problem
    # identical providers in both routers are the same profile: carol's pair is migrated once
    carol = next(m for m in reading.mailboxes if m.address == "carol.clark@contoso.com")
    assert carol.problem is None and carol.profile == POP3_SMTP


def test_several_deployments_warn(make_router: RouterFactory) -> None:
    second = make_router(edit=lambda t: t.replace("/Contoso</CrmServerUrl>", "/Fabrikam</CrmServerUrl>", 1))
    reading = read(second)
    assert WarningCode.SEVERAL_DEPLOYMENTS in codes(reading, None)


# --- files that cannot be used: one error naming the file --------------------------------------------


def error_of(*directories: Path) -> RouterFileError:
    with pytest.raises(RouterFileError) as info:
        read_router_files(list(directories))
    return info.value


def test_broken_xml_names_the_file_and_line(make_router: RouterFactory) -> None:
    router = make_router(edit=lambda t: t.replace("</MaxThreads>", "</MaxThread>"))
    error = error_of(router)
    assert error.path == str(router / AGENT_FILE)
    assert re.search(r"not well-formed XML \(mismatched tag\) at line \d+, column \d+", error.problem)
    assert list(error.errors) == ["routers"] and "\n" not in error.message


@pytest.mark.parametrize(
    "declaration",
    ['<!DOCTYPE Configuration [<!ENTITY x "xxxxxxxx">]>', '<!DOCTYPE Configuration SYSTEM "file:///etc/passwd">'],
)
def test_dtds_and_entities_are_refused(make_router: RouterFactory, declaration: str) -> None:
    router = make_router(edit=lambda t: t.replace("?>", "?>\n" + declaration, 1))
    error = error_of(router)
    assert error.path == str(router / AGENT_FILE) and "refused for safety" in error.problem


def test_missing_system_state_names_the_file(make_router: RouterFactory) -> None:
    router = make_router(missing=(STATE_FILE,))
    error = error_of(router)
    assert error.path == str(router / STATE_FILE) and error.problem.startswith("no such file")


@pytest.mark.parametrize("content", ["", "  \n"])
def test_empty_files_name_the_file(make_router: RouterFactory, content: str) -> None:
    router = make_router(key=content)
    error = error_of(router)
    assert error.path == str(router / KEY_FILE) and error.problem == "the file is empty"


def test_too_large_alone_and_in_all(make_router: RouterFactory) -> None:
    big = make_router()
    with (big / AGENT_FILE).open("r+b") as handle:
        handle.truncate(33 * 1024 * 1024)  # sparse: the size is checked before anything is read
    error = error_of(big)
    assert error.path == str(big / AGENT_FILE) and "more than the 32.0 MB allowed" in error.problem

    first, second = make_router(), make_router()
    for router in (first, second):
        with (router / STATE_FILE).open("r+b") as handle:
            handle.truncate(17 * 1024 * 1024)
    error = error_of(first, second)
    assert error.path == str(second / STATE_FILE) and "allowed in all" in error.problem


def test_structure_errors_name_the_file(make_router: RouterFactory) -> None:
    wrong_root = make_router(agent=sample_text(STATE_FILE))
    assert "not <Configuration>" in error_of(wrong_root).problem
    nested = make_router(
        edit=lambda t: t.replace("</ProviderConfiguration>", "<ProviderConfiguration/></ProviderConfiguration>", 1)
    )
    assert "nested" in error_of(nested).problem
    bad_key = make_router(key="<EncryptionKey><Key>abc</Key>")
    assert error_of(bad_key).path == str(bad_key / KEY_FILE)


def test_router_folder_limits(make_router: RouterFactory, tmp_path: Path) -> None:
    routers = [make_router() for _ in range(5)]
    with pytest.raises(ValidationError, match="at most 4 routers"):
        read_router_files(routers)
    assert "given twice" in error_of(routers[0], routers[0]).problem
    assert error_of(tmp_path / "nowhere").problem == "no such folder"
    assert "not a folder" in error_of(routers[0] / AGENT_FILE).problem


def test_file_names_are_matched_case_insensitively(make_router: RouterFactory) -> None:
    router = make_router()
    for path in list(router.iterdir()):
        path.rename(path.with_name(path.name.lower()))
    assert [p.name for p in read(router).profiles] == SAMPLE_PROFILES


def test_utf16_files_with_a_byte_order_mark_read_the_same(make_router: RouterFactory, sample_router: Path) -> None:
    router = make_router()
    for path in router.iterdir():
        text = path.read_text(encoding="utf-8").replace('encoding="utf-8"', 'encoding="utf-16"')
        path.write_bytes(text.encode("utf-16"))
    assert [p.profile for p in read(router).profiles] == [p.profile for p in read(sample_router).profiles]
