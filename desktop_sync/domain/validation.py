"""Checks of what an admin types, returning errors keyed by field so forms and the CLI can say where.

Field names are the snake_case names of the form fields (``incoming_port``); the CLI shows them
as its flags (``--incoming-port``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_sync.domain.errors import CheckText, ValidationError
from desktop_sync.domain.model import (
    MAX_CONNECTIONS_MAX,
    MAX_CONNECTIONS_MIN,
    PORT_MAX,
    PORT_MIN,
    TIMEOUT_DEFAULT,
    TIMEOUT_MAX,
    TIMEOUT_MIN,
    TRACKED_CATEGORY_DEFAULT,
    AuthMethod,
    CredentialsOn,
    Direction,
    Endpoint,
    Profile,
    ProfileKind,
    Security,
    default_port,
)
from desktop_sync.domain.signin import MICROSOFT_AUTHORITY, OAuthProvider, OAuthSettings

# Pragmatic address check: one @, a dotted or bracketed domain, no spaces or control characters.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})+$")
GRAPH_HOST = "graph.microsoft.com"  # Exchange Online's default: Microsoft Graph's global service
_HOST = re.compile(rf"^(?:{_LABEL})(?:\.{_LABEL})*$|^\[?[0-9a-fA-F:.]+\]?$")


# Every text these checks give, by code: the CLI prints it in English as it is; the GUI shows it
# in the interface's language (ui/explanations.py fills the translated template with the facts the
# CheckText kept; desktop_sync_messages_<lang>.ts, context "FieldErrors").
FIELD_ERRORS: dict[str, str] = {
    "address_required": "an email address is required",
    "address_invalid": "{value} is not a valid email address",
    "guid_invalid": "{value} is not a GUID",
    "name_required": "a name is required",
    "profile_name_required": "a profile name is required",
    "too_long": "at most {limit} characters",
    "host_invalid": "{value} is not a host name or IP address",
    "port_range": "port {port} is outside {low}-{high}",
    "url_invalid": "{value} is not an http(s) URL",
    "url_insecure": "http:// sends credentials in clear text; use https:// or --allow-insecure",
    "exchange_outgoing_host": "Exchange sends mail through EWS; leave the outgoing host empty",
    "ews_url_not_exchange": "only Exchange profiles have an EWS URL",
    "auth_not_exchange": "{auth} authentication is for Exchange profiles",
    "exchange_online_oauth": "Exchange Online signs in with OAuth 2.0 only (--auth oauth)",
    "exchange_online_microsoft": "Exchange Online signs in at Microsoft (--oauth-provider microsoft)",
    "exchange_online_no_ews": "Exchange Online is reached through Microsoft Graph; leave the EWS URL empty",
    "exchange_online_outgoing_host": (
        "Exchange Online sends mail through Microsoft Graph; leave the outgoing host empty"
    ),
    "oauth_provider_required": "choose the identity provider (microsoft, google or oidc)",
    "oauth_client_id_required": "the application (client) id registered at the identity provider is required",
    "oauth_issuer_required": "an OpenID Connect provider needs its issuer URL",
    "oauth_scopes_required": "an OpenID Connect provider needs the scopes to ask for",
    "oauth_client_id_invalid": "{value} is not an application (client) id",
    "oauth_scope_invalid": "{value} is not a scope (no spaces or control characters)",
    "oauth_tenant_invalid": "{value} is not a tenant id or domain",
    "oauth_tenant_not_microsoft": "a tenant is for Microsoft sign-in only",
    "oauth_tenant_app_only": "an application's own sign-in needs the tenant id or domain, not {value}",
    "oauth_app_only_unsupported": (
        "{provider} has no client-credentials sign-in for mail; keep credentials on each mailbox"
    ),
    "oauth_without_oauth": "{field} is only for OAuth 2.0 profiles (--auth oauth)",
    "incoming_host_required": "the incoming server's host is required",
    "outgoing_port_without_host": "an outgoing port was given without an outgoing host",
    "security_none": "'none' sends passwords in clear text; add --allow-insecure to accept",
    "max_connections_range": "{value} is outside {low}-{high} (default {default})",
    "seconds_range_default": "{value} s is outside {low}-{high} s (default {default})",
    "seconds_range": "{value} s is outside {low}-{high} s",
    "date_without_zone": "the date needs a time zone",
    "service_login_required": "credentials on the profile need the service account's login",
    "delete_not_pop3": "only POP3 profiles delete mail after download",
    "token_prefix_invalid": "1-20 characters without spaces",
    "category_invalid": "at most 100 characters, without commas or semicolons",
    "categories_not_exchange": "only Exchange items carry categories",
    # what services/profiles.py, services/mailboxes.py and services/directory.py refuse
    "ca_file_missing": "{path}: no such file",
    "ca_file_unreadable": "{path}: cannot be read ({reason})",
    "ca_file_no_pem": "{path}: no PEM certificate in this file",
    "credentials_on_mailboxes": "this profile keeps credentials on each mailbox, not on the profile",
    "credentials_on_profile": "profile {name} keeps the credentials on the profile",
    "profile_exists": "a profile named {name} already exists",
    "password_empty": "the password is empty",
    "profile_in_use_one": "1 mailbox uses this profile ({mailboxes}): move or delete it first",
    "profile_in_use": "{count} mailboxes use this profile ({mailboxes}): move or delete them first",
    "user_and_queue": "a mailbox belongs to a user or a queue, not both",
    "mailbox_exists": "a mailbox {address} already exists",
    "queue_has_mailbox": "queue {address} already has a mailbox",
    "unsent_mail_one": (
        "1 mail from {address} is not sent yet: let the engine send it, or resolve it in the outgoing list first"
    ),
    "unsent_mail": (
        "{count} mails from {address} are not sent yet: let the engine send them, or resolve them in the "
        "outgoing list first"
    ),
    "channel_method_required": "choose how the channel synchronizes before enabling it",
    "forward_incoming_only": "only incoming email can arrive through a forward mailbox",
    "act_exchange_only": "appointments, contacts and tasks are synchronized with Exchange only",
    "no_outgoing_server": "profile {name} has no outgoing server",
    "user_exists": "a user {address} already exists",
    "address_is_queue": "{address} is already a queue's address",
    "user_crm_id_taken": "another user has the CRM id {crm_id}",
    "queue_exists": "a queue {address} already exists",
    "address_is_user": "{address} is already a user's address",
    "queue_crm_id_taken": "another queue has the CRM id {crm_id}",
    # what services/signin.py refuses (OAuth 2.0 sign-in)
    "signin_not_oauth": "profile {name} signs in with a password, not OAuth 2.0",
    "signin_on_profile": (
        "profile {name} signs in as its application for every mailbox: desktop-sync profile sign-in {name}"
    ),
    "signin_on_mailboxes": "profile {name} signs each mailbox in on its own: desktop-sync mailbox sign-in EMAIL",
    "client_secret_empty": "the client secret is empty",
    "client_secret_or_certificate": "give either the client secret or the certificate",
    "client_certificate_microsoft_only": "a certificate proves an application at Microsoft only: use a client secret",
    "client_certificate_missing": "{path}: no such certificate file",
    "client_certificate_unreadable": "{path}: the certificate file cannot be read ({reason})",
    "client_certificate_too_large": "the file is larger than a certificate and its key ({limit} characters)",
    "client_certificate_encrypted": "the private key is encrypted: give it unencrypted (openssl pkcs8 -topk8 -nocrypt)",
    "client_certificate_no_certificate": "no certificate (BEGIN CERTIFICATE) in the file",
    "client_certificate_no_key": "no private key (BEGIN PRIVATE KEY) in the file",
    "client_certificate_many_keys": "more than one private key in the file: give the application's only",
    "preset_no_kind": "{preset} has no preset for {kind} profiles",
}


def field_error(code: str, **facts: str) -> CheckText:
    """The English text of the check ``code``, filled with ``facts``, keeping both (the GUI renders
    the translated template from them)."""
    return CheckText(FIELD_ERRORS[code].format(**facts), code, facts)


def normalize_address(address: str, field: str = "email") -> str:
    """Return the address lower-cased, or raise a ValidationError naming ``field``."""
    value = address.strip()
    if not value:
        raise ValidationError.single(field, field_error("address_required"))
    if len(value) > 320 or not _ADDRESS.match(value) or ".." in value or value.startswith("."):
        raise ValidationError.single(field, field_error("address_invalid", value=repr(address)))
    return value.lower()


def normalize_crm_id(crm_id: str | None, field: str = "crm_id") -> str | None:
    """A CRM record id is a GUID, with or without braces; stored lower-case without braces."""
    if crm_id is None or not crm_id.strip():
        return None
    try:
        return str(uuid.UUID(crm_id.strip().strip("{}")))
    except ValueError as exc:
        raise ValidationError.single(field, field_error("guid_invalid", value=repr(crm_id))) from exc


def check_name(name: str, field: str = "name", max_length: int = 200) -> str:
    value = name.strip()
    if not value:
        raise ValidationError.single(field, field_error("name_required"))
    if len(value) > max_length:
        raise ValidationError.single(field, field_error("too_long", limit=str(max_length)))
    return value


@dataclass(frozen=True, slots=True)
class ProfileInput:
    """What a profile form or ``profile add`` gives, before checking. None means "not given"."""

    name: str
    kind: ProfileKind
    incoming_host: str | None = None
    incoming_port: int | None = None
    incoming_security: Security = Security.TLS
    outgoing_host: str | None = None
    outgoing_port: int | None = None
    outgoing_security: Security = Security.TLS
    ews_url: str | None = None
    auth: AuthMethod = AuthMethod.BASIC
    credentials_on: CredentialsOn = CredentialsOn.MAILBOX
    login: str | None = None
    max_connections: int | None = None
    timeout_seconds: int | None = None
    min_poll_seconds: int | None = None
    process_email_from: dt.datetime | None = None
    ca_file: str | None = None
    allow_insecure: bool = False
    delete_after_download: bool = False
    tracking_token_prefix: str = "CRM:"
    tracked_category: str = TRACKED_CATEGORY_DEFAULT
    tag_undeliverable: bool = False
    # OAuth 2.0 (auth OAUTH2 only)
    oauth_provider: OAuthProvider | None = None
    client_id: str | None = None
    tenant: str | None = None
    issuer: str | None = None
    scopes: tuple[str, ...] = ()
    authority_host: str | None = None


_TENANT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$")
# Microsoft's tenant aliases: fine for a person's sign-in, not for an application's own
_MULTI_TENANT = ("organizations", "common", "consumers")
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")  # RFC 6749 scope-token


def _check_https(errors: dict[str, str], field: str, url: str, allow_insecure: bool) -> str:
    value = url.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        errors[field] = field_error("url_invalid", value=repr(url))
    elif parts.scheme == "http" and not allow_insecure:
        errors[field] = field_error("url_insecure")
    return value


def _check_oauth(errors: dict[str, str], data: ProfileInput) -> OAuthSettings | None:
    """The profile's OAuth settings, or None for a password profile (which must not name any)."""
    if data.auth is not AuthMethod.OAUTH2:
        given = {
            "oauth_provider": data.oauth_provider,
            "client_id": data.client_id,
            "tenant": data.tenant,
            "issuer": data.issuer,
            "scopes": data.scopes,
            "authority_host": data.authority_host,
        }
        for field, value in given.items():
            if value:
                errors[field] = field_error("oauth_without_oauth", field=field)
        return None
    provider = data.oauth_provider
    if provider is None and data.kind.is_exchange:
        provider = OAuthProvider.MICROSOFT  # Exchange's modern authentication is Microsoft Entra's
    if provider is None:
        errors["oauth_provider"] = field_error("oauth_provider_required")
        return None
    if data.kind is ProfileKind.EXCHANGE_ONLINE and provider is not OAuthProvider.MICROSOFT:
        errors["oauth_provider"] = field_error("exchange_online_microsoft")
    client_id = (data.client_id or "").strip()
    if not client_id:
        errors["client_id"] = field_error("oauth_client_id_required")
    elif len(client_id) > 200:
        errors["client_id"] = field_error("too_long", limit="200")
    elif any(ch.isspace() or not ch.isprintable() for ch in client_id):
        errors["client_id"] = field_error("oauth_client_id_invalid", value=repr(data.client_id))
    app_only = data.credentials_on is CredentialsOn.PROFILE
    tenant = (data.tenant or "").strip() or "organizations"
    if provider is OAuthProvider.MICROSOFT:
        if not _TENANT.match(tenant):
            errors["tenant"] = field_error("oauth_tenant_invalid", value=repr(data.tenant))
        elif app_only and tenant.lower() in _MULTI_TENANT:
            errors["tenant"] = field_error("oauth_tenant_app_only", value=tenant)
    elif data.tenant:
        errors["tenant"] = field_error("oauth_tenant_not_microsoft")
    if app_only and provider is OAuthProvider.GOOGLE:
        errors["credentials_on"] = field_error("oauth_app_only_unsupported", provider="Google")
    issuer = ""
    if data.issuer and data.issuer.strip():
        issuer = _check_https(errors, "issuer", data.issuer, data.allow_insecure)
    elif provider is OAuthProvider.OIDC:
        errors["issuer"] = field_error("oauth_issuer_required")
    scopes = tuple(dict.fromkeys(s.strip() for s in data.scopes if s.strip()))
    for scope in scopes:
        if len(scope) > 500 or not _SCOPE.match(scope):
            errors["scopes"] = field_error("oauth_scope_invalid", value=repr(scope))
            break
    if provider is OAuthProvider.OIDC and not scopes:
        errors["scopes"] = field_error("oauth_scopes_required")
    authority_host = MICROSOFT_AUTHORITY
    if data.authority_host and data.authority_host.strip():
        authority_host = _check_https(errors, "authority_host", data.authority_host, data.allow_insecure)
    return OAuthSettings(
        provider=provider,
        client_id=client_id,
        tenant=tenant,
        issuer=issuer,
        scopes=scopes,
        authority_host=authority_host,
        ca_file=data.ca_file,
    )


def _check_host(errors: dict[str, str], field: str, host: str | None) -> str | None:
    if host is None or not host.strip():
        return None
    value = host.strip()
    if len(value) > 255 or not _HOST.match(value):
        errors[field] = field_error("host_invalid", value=repr(host))
        return None
    return value.lower()


def _check_port(errors: dict[str, str], field: str, port: int | None) -> None:
    if port is not None and not PORT_MIN <= port <= PORT_MAX:
        errors[field] = field_error("port_range", port=str(port), low=str(PORT_MIN), high=str(PORT_MAX))


def validate_profile(data: ProfileInput) -> Profile:
    """Check every field of a profile and return it with defaults filled in.

    Raises ValidationError with one message per bad field; nothing is guessed silently.
    """
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = field_error("profile_name_required")
    elif len(name) > 200:
        errors["name"] = field_error("too_long", limit="200")

    incoming_host = _check_host(errors, "incoming_host", data.incoming_host)
    outgoing_host = _check_host(errors, "outgoing_host", data.outgoing_host)
    _check_port(errors, "incoming_port", data.incoming_port)
    _check_port(errors, "outgoing_port", data.outgoing_port)

    ews_url = data.ews_url.strip() if data.ews_url else None
    if data.kind is ProfileKind.EXCHANGE_ONLINE:
        if data.auth is not AuthMethod.OAUTH2:
            errors["auth"] = field_error("exchange_online_oauth")
        if ews_url:
            errors["ews_url"] = field_error("exchange_online_no_ews")
        if data.outgoing_host:
            errors["outgoing_host"] = field_error("exchange_online_outgoing_host")
        if incoming_host is None and "incoming_host" not in errors:
            incoming_host = GRAPH_HOST
    elif data.kind is ProfileKind.EXCHANGE:
        if ews_url:
            parts = urlsplit(ews_url)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                errors["ews_url"] = field_error("url_invalid", value=repr(data.ews_url))
            else:
                if parts.scheme == "http" and not data.allow_insecure:
                    errors["ews_url"] = field_error("url_insecure")
                if incoming_host is None and "incoming_host" not in errors:
                    incoming_host = parts.hostname.lower()
        elif incoming_host is not None:
            scheme = "http" if data.incoming_security is Security.NONE else "https"
            port = f":{data.incoming_port}" if data.incoming_port else ""
            ews_url = f"{scheme}://{incoming_host}{port}/EWS/Exchange.asmx"
        if data.outgoing_host:
            errors.setdefault("outgoing_host", field_error("exchange_outgoing_host"))
    else:
        if ews_url:
            errors["ews_url"] = field_error("ews_url_not_exchange")
        if data.auth is AuthMethod.NTLM:
            errors["auth"] = field_error("auth_not_exchange", auth=data.auth.value)
    oauth = _check_oauth(errors, data)
    if incoming_host is None and "incoming_host" not in errors:
        errors["incoming_host"] = field_error("incoming_host_required")
    if outgoing_host is None and data.outgoing_port is not None and "outgoing_host" not in errors:
        errors["outgoing_host"] = field_error("outgoing_port_without_host")

    if not data.allow_insecure:
        if data.incoming_security is Security.NONE:
            errors.setdefault("incoming_security", field_error("security_none"))
        if outgoing_host and data.outgoing_security is Security.NONE:
            errors.setdefault("outgoing_security", field_error("security_none"))

    max_connections = data.max_connections if data.max_connections is not None else 10
    if not MAX_CONNECTIONS_MIN <= max_connections <= MAX_CONNECTIONS_MAX:
        errors["max_connections"] = field_error(
            "max_connections_range",
            value=str(max_connections),
            low=str(MAX_CONNECTIONS_MIN),
            high=str(MAX_CONNECTIONS_MAX),
            default="10",
        )
    timeout = data.timeout_seconds if data.timeout_seconds is not None else TIMEOUT_DEFAULT
    if not TIMEOUT_MIN <= timeout <= TIMEOUT_MAX:
        errors["timeout_seconds"] = field_error(
            "seconds_range_default", value=str(timeout), low=str(TIMEOUT_MIN), high=str(TIMEOUT_MAX), default="60"
        )
    min_poll = data.min_poll_seconds if data.min_poll_seconds is not None else 60
    if not 0 <= min_poll <= 12 * 60:
        errors["min_poll_seconds"] = field_error("seconds_range", value=str(min_poll), low="0", high="720")
    if data.process_email_from is not None and data.process_email_from.tzinfo is None:
        errors["process_email_from"] = field_error("date_without_zone")
    app_signs_in = data.auth is AuthMethod.OAUTH2  # an application's own token needs no service login
    if data.credentials_on is CredentialsOn.PROFILE and not app_signs_in and not (data.login and data.login.strip()):
        errors["login"] = field_error("service_login_required")
    if data.delete_after_download and data.kind is not ProfileKind.POP3:
        errors["delete_after_download"] = field_error("delete_not_pop3")
    prefix = data.tracking_token_prefix.strip()
    if not prefix or len(prefix) > 20 or any(ch.isspace() for ch in prefix):
        errors["tracking_token_prefix"] = field_error("token_prefix_invalid")
    category = data.tracked_category.strip()
    if len(category) > 100 or any(ch in category for ch in ",;\n\r\t"):
        errors["tracked_category"] = field_error("category_invalid")
    elif not data.kind.is_exchange and data.tag_undeliverable:
        errors["tag_undeliverable"] = field_error("categories_not_exchange")

    if errors:
        raise ValidationError(errors)
    assert incoming_host is not None

    def endpoint(host: str, port: int | None, security: Security, direction: Direction) -> Endpoint:
        return Endpoint(host, port or default_port(data.kind, direction, security), security)

    return Profile(
        name=name,
        kind=data.kind,
        incoming=endpoint(incoming_host, data.incoming_port, data.incoming_security, Direction.INCOMING),
        outgoing=(
            endpoint(outgoing_host, data.outgoing_port, data.outgoing_security, Direction.OUTGOING)
            if outgoing_host
            else None
        ),
        ews_url=ews_url,
        auth=data.auth,
        credentials_on=data.credentials_on,
        login=data.login.strip() if data.login and data.login.strip() else None,
        max_connections=max_connections,
        timeout_seconds=timeout,
        min_poll_seconds=min_poll,
        process_email_from=data.process_email_from,
        ca_file=data.ca_file,
        allow_insecure=data.allow_insecure,
        delete_after_download=data.delete_after_download,
        tracking_token_prefix=prefix,
        tracked_category=category if data.kind.is_exchange else TRACKED_CATEGORY_DEFAULT,
        tag_undeliverable=data.tag_undeliverable,
        oauth=oauth,
    )


def profile_input(profile: Profile) -> ProfileInput:
    """A stored profile as its form: what an edit starts from (``validate_profile`` gives it back)."""
    oauth = profile.oauth
    microsoft = oauth is not None and oauth.provider is OAuthProvider.MICROSOFT
    return ProfileInput(
        name=profile.name,
        kind=profile.kind,
        incoming_host=profile.incoming.host,
        incoming_port=profile.incoming.port,
        incoming_security=profile.incoming.security,
        outgoing_host=profile.outgoing.host if profile.outgoing else None,
        outgoing_port=profile.outgoing.port if profile.outgoing else None,
        outgoing_security=profile.outgoing.security if profile.outgoing else Security.TLS,
        ews_url=profile.ews_url,
        auth=profile.auth,
        credentials_on=profile.credentials_on,
        login=profile.login,
        max_connections=profile.max_connections,
        timeout_seconds=profile.timeout_seconds,
        min_poll_seconds=profile.min_poll_seconds,
        process_email_from=profile.process_email_from,
        ca_file=profile.ca_file,
        allow_insecure=profile.allow_insecure,
        delete_after_download=profile.delete_after_download,
        tracking_token_prefix=profile.tracking_token_prefix,
        tracked_category=profile.tracked_category,
        tag_undeliverable=profile.tag_undeliverable,
        oauth_provider=oauth.provider if oauth else None,
        client_id=oauth.client_id if oauth else None,
        tenant=oauth.tenant if microsoft and oauth else None,
        issuer=oauth.issuer or None if oauth else None,
        scopes=oauth.scopes if oauth else (),
        authority_host=oauth.authority_host if microsoft and oauth else None,
    )
