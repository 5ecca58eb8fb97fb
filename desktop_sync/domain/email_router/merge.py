"""The merge of one (incoming, outgoing) pair of router profiles into one email server profile."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from desktop_sync.domain.email_router.classify import Classified, read_flag
from desktop_sync.domain.email_router.files import SMTP_ROUTER_PORT
from desktop_sync.domain.email_router.model import (
    TYPE_LABELS,
    AuthMode,
    CredentialMode,
    EntraApp,
    MergedProfile,
    Note,
    RouterProfile,
    ServerSettings,
    ServerType,
    WarningCode,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import joined_problems, migration_text, setting_refused
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Profile, ProfileKind, Security
from desktop_sync.domain.signin import OAuthProvider
from desktop_sync.domain.validation import ProfileInput, validate_profile

# --- the merge of one pair ---------------------------------------------------------------------------

_KINDS = {
    ServerType.EXCHANGE: ProfileKind.EXCHANGE,
    ServerType.POP3: ProfileKind.POP3,
    ServerType.IMAP: ProfileKind.IMAP,
}


def merge_pair(
    incoming: RouterProfile | None,
    outgoing: RouterProfile | None,
    groups: Mapping[ServerSettings, Sequence[Classified]],
    *,
    forward_only: bool = False,
) -> tuple[MergedProfile, list[Note]]:
    """One email server profile for an (incoming, outgoing) pair of router profiles, with its warnings.

    The incoming side decides the kind of profile; an outgoing-only pair is possible with Exchange.
    """
    lead = incoming or outgoing
    assert lead is not None
    if incoming is not None and outgoing is not None and incoming.name != outgoing.name:
        name = f"{incoming.name} + {outgoing.name}"
    else:
        name = lead.name
    s = lead.settings
    notes: list[Note] = []
    problem: str | None = None
    kind = _KINDS.get(s.server_type)
    if kind is None:
        problem = (
            migration_text("outgoing_smtp_only")
            if s.server_type is ServerType.SMTP
            else migration_text("type_cannot_be_migrated", server_type=TYPE_LABELS[s.server_type])
        )
        notes.append((WarningCode.OUTGOING_ONLY, problem, True))
        kind = ProfileKind.IMAP  # a placeholder for the form; the profile is not written

    insecure = not s.tls
    if not s.tls:
        notes.append(
            (
                WarningCode.NON_SSL,
                migration_text("incoming_non_ssl", host=s.host),
                False,
            )
        )
    security = Security.TLS if s.tls else Security.NONE

    auth = AuthMethod.BASIC
    if s.auth in (AuthMode.WINDOWS, AuthMode.NTLM):
        auth = AuthMethod.NTLM
    elif s.auth is AuthMode.OAUTH2:
        auth = AuthMethod.OAUTH2
    elif s.auth is AuthMode.ANONYMOUS and incoming is not None:
        problem = problem or migration_text("anonymous_incoming")
    elif s.auth is AuthMode.NOT_STATED:
        notes.append(
            (WarningCode.AUTH_NOT_STATED, migration_text("auth_not_stated"), False)
        )
    exchange_online = s.host.lower().endswith(("office365.com", "outlook.com"))
    # Exchange Online takes no password any more: an OAuth 2.0 profile (Microsoft Graph) whose
    # application signs in for every mailbox, as the router's service account did; never a password
    online = kind is ProfileKind.EXCHANGE and (exchange_online or s.auth is AuthMode.OFFICE365)
    if online:
        kind, auth = ProfileKind.EXCHANGE_ONLINE, AuthMethod.OAUTH2
        notes.append((WarningCode.EXCHANGE_ONLINE_OAUTH, migration_text("exchange_online_oauth", host=s.host), False))
    elif s.auth is AuthMode.OFFICE365:  # basic against Exchange Online over POP3: it will be refused
        notes.append(
            (
                WarningCode.EXCHANGE_ONLINE_BASIC,
                migration_text("exchange_online_basic", host=s.host),
                False,
            )
        )

    credentials_on = CredentialsOn.MAILBOX
    login: str | None = None
    if online:
        credentials_on = CredentialsOn.PROFILE  # the application's own token: no login, no password
    elif s.credentials is CredentialMode.OTHER_SPECIFIED:
        credentials_on, login = CredentialsOn.PROFILE, s.account
        if kind is not ProfileKind.EXCHANGE and incoming is not None and len(incoming.addresses) > 1:
            notes.append(
                (
                    WarningCode.SHARED_POP3_ACCOUNT,
                    migration_text("shared_account", login=s.account, server_type=TYPE_LABELS[s.server_type]),
                    False,
                )
            )
    elif s.credentials is CredentialMode.LOCAL_SYSTEM:
        notes.append(
            (
                WarningCode.LOCAL_SYSTEM,
                migration_text("local_system"),
                False,
            )
        )

    delete_after_download = False
    if incoming is not None and kind is ProfileKind.POP3:
        flags = {read_flag(item.provider.delete_emails) for item in groups.get(s, ())}
        delete_after_download = flags == {True}
        if len(flags - {None}) > 1:
            notes.append(
                (
                    WarningCode.DELETE_EMAILS_MIXED,
                    migration_text("delete_mixed"),
                    False,
                )
            )

    outgoing_host: str | None = None
    outgoing_port: int | None = None
    outgoing_security = Security.TLS
    if incoming is not None and outgoing is not None and not outgoing.problem:
        o = outgoing.settings
        if kind.is_exchange and o.server_type is ServerType.SMTP:
            notes.append(
                (
                    WarningCode.EXCHANGE_SMTP,
                    migration_text("exchange_with_smtp", host=o.host),
                    False,
                )
            )
        elif not kind.is_exchange and o.server_type is ServerType.EXCHANGE:
            notes.append(
                (
                    WarningCode.POP3_EXCHANGE,
                    migration_text("pop3_with_exchange", server_type=TYPE_LABELS[s.server_type], host=o.host),
                    False,
                )
            )
        elif kind.is_exchange and (o.ews_url or o.host).lower() != (s.ews_url or s.host).lower():
            notes.append(
                (
                    WarningCode.EXCHANGE_SERVERS_DIFFER,
                    migration_text(
                        "exchange_servers_differ", incoming=s.ews_url or s.host, outgoing=o.ews_url or o.host
                    ),
                    False,
                )
            )
        elif o.server_type is ServerType.SMTP:
            outgoing_host = o.host
            outgoing_port = o.port or SMTP_ROUTER_PORT
            outgoing_security = (Security.TLS if o.port == 465 else Security.STARTTLS) if o.tls else Security.NONE
            notes.extend(_smtp_notes(s, o))
            insecure = insecure or not o.tls

    data = ProfileInput(
        name=name,
        kind=kind,
        incoming_host=None if s.ews_url or online else s.host,
        incoming_port=None if kind.is_exchange else s.port,
        incoming_security=security,
        outgoing_host=outgoing_host,
        outgoing_port=outgoing_port,
        outgoing_security=outgoing_security,
        ews_url=s.ews_url if kind is ProfileKind.EXCHANGE else None,
        auth=auth,
        credentials_on=credentials_on,
        login=login,
        allow_insecure=insecure,
        delete_after_download=delete_after_download,
        oauth_provider=OAuthProvider.MICROSOFT if online else None,
    )
    validated: Profile | None = None
    if online and problem is None:
        problem = migration_text("exchange_online_needs_app")  # until the plan is given the application
    if problem is None:
        try:
            validated = validate_profile(data)
        except ValidationError as exc:
            problem = joined_problems(
                [setting_refused(f, m) for f, m in exc.errors.items()]
            )
    merged = MergedProfile(
        name=name,
        incoming=incoming.label if incoming else None,
        outgoing=outgoing.label if outgoing else None,
        data=data,
        profile=validated,
        problem=problem,
        forward_only=forward_only,
        needs_entra_app=online,
    )
    return merged, notes


def with_entra_app(merged: MergedProfile, app: EntraApp | None) -> MergedProfile:
    """An Exchange Online profile completed with the Entra application the admin gave (checked like
    any profile); without one it stays unmigratable, saying what is missing."""
    if not merged.needs_entra_app or app is None:
        return merged
    data = dataclasses.replace(merged.data, client_id=app.client_id, tenant=app.tenant)
    try:
        return dataclasses.replace(merged, data=data, profile=validate_profile(data), problem=None)
    except ValidationError as exc:
        problem = joined_problems([setting_refused(f, m) for f, m in exc.errors.items()])
        return dataclasses.replace(merged, data=data, profile=None, problem=problem)


def _smtp_notes(incoming: ServerSettings, smtp: ServerSettings) -> list[Note]:
    notes: list[Note] = []
    if not smtp.tls:
        notes.append(
            (
                WarningCode.NON_SSL,
                migration_text("smtp_non_ssl", host=smtp.host),
                False,
            )
        )
    if smtp.credentials is CredentialMode.NONE:
        notes.append(
            (
                WarningCode.ANONYMOUS_SMTP,
                migration_text("smtp_anonymous", host=smtp.host),
                False,
            )
        )
    elif smtp.credentials is CredentialMode.LOCAL_SYSTEM:
        notes.append(
            (
                WarningCode.SMTP_CREDENTIALS,
                migration_text("smtp_local_system", host=smtp.host),
                False,
            )
        )
    elif (smtp.account or "").lower() != (incoming.account or "").lower():
        notes.append(
            (
                WarningCode.SMTP_CREDENTIALS,
                migration_text("smtp_other_account", host=smtp.host, login=smtp.account),
                False,
            )
        )
    return notes


# --- accounts ----------------------------------------------------------------------------------------
