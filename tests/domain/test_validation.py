"""Profile and address validation: every bad field is named, defaults are filled in."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import (
    Endpoint,
    Mailbox,
    Profile,
    ProfileId,
    ProfileKind,
    Security,
    effective_process_email_from,
)
from desktop_sync.domain.validation import (
    ProfileInput,
    normalize_address,
    normalize_crm_id,
    validate_profile,
)


def imap(**overrides: object) -> ProfileInput:
    values: dict[str, object] = {
        "name": "Corp",
        "kind": ProfileKind.IMAP,
        "incoming_host": "imap.example.test",
    }
    values.update(overrides)
    return ProfileInput(**values)  # type: ignore[arg-type]


def errors_of(data: ProfileInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate_profile(data)
    return info.value.errors


def test_defaults_are_the_well_known_ports_and_limits() -> None:
    profile = validate_profile(imap(outgoing_host="smtp.example.test", outgoing_security=Security.STARTTLS))
    assert profile.incoming == Endpoint("imap.example.test", 993, Security.TLS)
    assert profile.outgoing == Endpoint("smtp.example.test", 587, Security.STARTTLS)
    assert (profile.max_connections, profile.timeout_seconds) == (10, 60)


def test_pop3_and_plain_ports() -> None:
    profile = validate_profile(
        imap(kind=ProfileKind.POP3, incoming_security=Security.STARTTLS, outgoing_host="smtp.example.test")
    )
    assert profile.incoming.port == 110
    assert profile.outgoing is not None and profile.outgoing.port == 465


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"incoming_port": 0}, "incoming_port"),
        ({"incoming_port": 65536}, "incoming_port"),
        ({"outgoing_host": "smtp.example.test", "outgoing_port": 70000}, "outgoing_port"),
        ({"max_connections": 0}, "max_connections"),
        ({"max_connections": 301}, "max_connections"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 101}, "timeout_seconds"),
        ({"incoming_security": Security.NONE}, "incoming_security"),
        ({"outgoing_host": "smtp.example.test", "outgoing_security": Security.NONE}, "outgoing_security"),
        ({"incoming_host": None}, "incoming_host"),
        ({"incoming_host": "bad host!"}, "incoming_host"),
        ({"name": "  "}, "name"),
        ({"ews_url": "https://mail.example.test/EWS/Exchange.asmx"}, "ews_url"),
        ({"delete_after_download": True}, "delete_after_download"),
    ],
)
def test_each_bad_field_is_named(overrides: dict[str, object], field: str) -> None:
    assert field in errors_of(imap(**overrides))


def test_limits_at_the_edges_are_accepted() -> None:
    for value in (1, 300):
        assert validate_profile(imap(max_connections=value)).max_connections == value
    for value in (1, 100):
        assert validate_profile(imap(timeout_seconds=value)).timeout_seconds == value
    assert validate_profile(imap(incoming_port=65535)).incoming.port == 65535


def test_insecure_transport_needs_explicit_consent() -> None:
    profile = validate_profile(imap(incoming_security=Security.NONE, allow_insecure=True))
    assert profile.incoming == Endpoint("imap.example.test", 143, Security.NONE)


def test_several_bad_fields_are_all_reported() -> None:
    assert set(errors_of(imap(incoming_port=0, timeout_seconds=500))) == {"incoming_port", "timeout_seconds"}


def test_exchange_takes_its_host_from_the_ews_url_or_builds_the_url() -> None:
    from_url = validate_profile(
        ProfileInput(name="EX", kind=ProfileKind.EXCHANGE, ews_url="https://mail.example.test/EWS/Exchange.asmx")
    )
    assert from_url.incoming.host == "mail.example.test"
    from_host = validate_profile(ProfileInput(name="EX", kind=ProfileKind.EXCHANGE, incoming_host="ex.example.test"))
    assert from_host.ews_url == "https://ex.example.test/EWS/Exchange.asmx"
    assert from_host.incoming.port == 443
    assert from_host.has_act


def test_exchange_over_http_needs_consent() -> None:
    data = ProfileInput(name="EX", kind=ProfileKind.EXCHANGE, ews_url="http://127.0.0.1:8080/EWS/Exchange.asmx")
    assert "ews_url" in errors_of(data)


@pytest.mark.parametrize("address", ["", "plain", "a@", "@b.test", "a b@c.test", "a@b", "a@@b.test", "a..b@c.test"])
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_address(address, "address")
    assert "address" in info.value.errors


def test_addresses_are_compared_lower_case() -> None:
    assert normalize_address(" Alice@Example.TEST ") == "alice@example.test"


def test_crm_ids_are_guids() -> None:
    assert normalize_crm_id("{0F8FAD5B-D9CB-469F-A165-70867728950E}") == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert normalize_crm_id(None) is None
    with pytest.raises(ValidationError):
        normalize_crm_id("not-a-guid")


def test_effective_process_email_from_is_the_later_date() -> None:
    early = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    late = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    profile = Profile(name="p", kind=ProfileKind.IMAP, incoming=Endpoint("h.test", 993, Security.TLS))
    mailbox = Mailbox(address="m@example.test", profile_id=ProfileId(1))
    assert effective_process_email_from(profile, mailbox) is None
    from dataclasses import replace

    assert effective_process_email_from(replace(profile, process_email_from=early), mailbox) == early
    both = effective_process_email_from(
        replace(profile, process_email_from=late), replace(mailbox, process_email_from=early)
    )
    assert both == late
    assert (
        effective_process_email_from(
            replace(profile, process_email_from=early), replace(mailbox, process_email_from=late)
        )
        == late
    )
