"""Classification of one provider: its direction, server type, location, security, authentication and
credential mode, or why it cannot be used."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_sync.domain.email_router.files import MICROSOFT_ASSEMBLIES, MICROSOFT_NAMESPACE, Provider
from desktop_sync.domain.email_router.model import AUTH_VALUES, AuthMode, CredentialMode, Role, ServerType, WarningCode
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import joined_problems, migration_text
from desktop_sync.domain.validation import normalize_address


@dataclass(frozen=True, slots=True)
class Classified:
    provider: Provider
    role: Role
    server_type: ServerType
    host: str
    port: int | None
    tls: bool
    ews_url: str | None
    auth: AuthMode
    forward: bool
    address: str | None
    notes: tuple[tuple[WarningCode, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Unusable:
    provider: Provider
    reason: str


def read_flag(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def classify(provider: Provider) -> Classified | Unusable:
    """Direction, server type, location, security and authentication of one provider, or why not."""
    if provider.problems:
        return Unusable(provider, joined_problems(provider.problems))
    address = None
    if provider.email_address:
        try:
            address = normalize_address(provider.email_address)
        except ValidationError:
            return Unusable(provider, migration_text("address_invalid", value=repr(provider.email_address)))
    forward = read_flag(provider.is_forward_mailbox)
    if provider.is_forward_mailbox is not None and forward is None:
        return Unusable(provider, migration_text("forward_flag_invalid", value=repr(provider.is_forward_mailbox)))
    if not provider.provider_class:
        return Unusable(provider, migration_text("no_provider_class"))
    full = provider.provider_class.strip()
    short = full.rsplit(".", 1)[-1].lower()
    assembly = (provider.assembly or "").strip().lower()
    listed = bool(provider.user_ids or provider.queue_ids)
    scheme, host, port, path = _location(provider.server_url or "")

    microsoft = ("." not in full or full.lower().startswith(MICROSOFT_NAMESPACE)) and (
        not assembly or assembly in MICROSOFT_ASSEMBLIES
    )
    if not microsoft:
        role = Role.OUTGOING if listed and address is None else Role.INCOMING
        if role is Role.INCOMING and address is None:
            return Unusable(provider, migration_text("custom_without_address", provider_class=full))
        return Classified(
            provider, role, ServerType.CUSTOM, host, None, False, None, AuthMode.NOT_STATED, bool(forward), address
        )

    server_type: ServerType
    if "webdav" in short:
        role, server_type = (Role.OUTGOING if "send" in short else Role.INCOMING), ServerType.WEBDAV
    elif "pop3" in short:
        role, server_type = Role.INCOMING, ServerType.POP3
    elif "imap" in short:
        role, server_type = Role.INCOMING, ServerType.IMAP
    elif "smtp" in short:
        role, server_type = Role.OUTGOING, ServerType.SMTP
    elif "exchange" in short:
        role, server_type = (Role.OUTGOING if "send" in short else Role.INCOMING), ServerType.EXCHANGE
    else:
        return Unusable(provider, migration_text("provider_class_unknown", provider_class=full))

    if not provider.server_url:
        return Unusable(provider, migration_text("no_server_url"))
    if not host:
        return Unusable(provider, migration_text("server_url_no_host", value=repr(provider.server_url)))
    if port == -1:
        return Unusable(provider, migration_text("server_url_bad_port", value=repr(provider.server_url)))
    if scheme == "smtps" and port is None:
        port = 465

    notes: list[tuple[WarningCode, str]] = []
    stated = read_flag(provider.use_ssl)
    if provider.use_ssl is not None and stated is None:
        return Unusable(provider, migration_text("ssl_flag_invalid", value=repr(provider.use_ssl)))
    by_scheme = _SCHEME_TLS.get(scheme)
    if by_scheme is not None and stated is not None and by_scheme != stated:
        notes.append(
            (
                WarningCode.FILE_STRUCTURE,
                migration_text(
                    "ssl_contradicts_location", source=provider.source, stated=provider.use_ssl, scheme=scheme
                ),
            )
        )
    if by_scheme is not None:
        tls = by_scheme
    elif stated is not None:
        tls = stated
    else:
        tls = port in (443, 465, 993, 995)  # implicit-TLS ports

    ews_url = None
    if server_type is ServerType.EXCHANGE:
        lowered = path.lower()
        if "exchange.asmx" in lowered or lowered.startswith("/ews"):
            ews_url = provider.server_url.strip()
        elif lowered.startswith(("/exchange", "/public")):
            server_type = ServerType.WEBDAV
        else:
            notes.append(
                (
                    WarningCode.EWS_URL_BUILT,
                    migration_text("ews_url_built", location=provider.server_url, host=host),
                )
            )

    if provider.auth_mode is None:
        auth = AuthMode.NOT_STATED
    else:
        found = AUTH_VALUES.get(re.sub(r"[^a-z0-9]", "", provider.auth_mode.lower()))
        if found is None:
            return Unusable(provider, migration_text("auth_mode_unknown", value=repr(provider.auth_mode)))
        auth = found

    if role is Role.INCOMING and address is None:
        return Unusable(provider, migration_text("incoming_without_address"))
    if role is Role.OUTGOING and not listed:
        return Unusable(provider, migration_text("outgoing_without_ids"))
    if role is Role.INCOMING and listed:
        notes.append(
            (WarningCode.FILE_STRUCTURE, migration_text("incoming_lists_ids", source=provider.source))
        )
    return Classified(
        provider, role, server_type, host, port, tls, ews_url, auth, bool(forward), address, tuple(notes)
    )


_SCHEME_TLS = {
    "https": True,
    "pop3s": True,
    "imaps": True,
    "smtps": True,
    "ssl": True,
    "tls": True,
    "http": False,
    "pop3": False,
    "pop": False,
    "imap": False,
    "smtp": False,
}


def _location(url: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, path) of a router location: a URL, or host[:port]. Port -1: invalid."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "//" + text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path


def credential_mode(item: Classified, shared_users: Collection[str]) -> tuple[CredentialMode, str | None]:
    """The credential mode and service account of one provider; see the module's mapping."""
    user = (item.provider.email_user or "").strip()
    if item.auth is AuthMode.ANONYMOUS:
        return CredentialMode.NONE, None
    if not user:
        return CredentialMode.LOCAL_SYSTEM, None
    if item.role is Role.OUTGOING:
        return CredentialMode.OTHER_SPECIFIED, user
    if item.address is not None and user.lower() == item.address:
        return CredentialMode.USER_SPECIFIED, None
    if user.lower() in shared_users:
        return CredentialMode.OTHER_SPECIFIED, user
    return CredentialMode.USER_SPECIFIED, None
