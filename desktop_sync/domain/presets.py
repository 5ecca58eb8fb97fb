"""Server presets: what an admin picks instead of typing hosts, ports, security and scopes by hand.

Microsoft 365 (Exchange Online: IMAP, POP3 and SMTP AUTH, or Microsoft Graph) and Google Workspace /
Gmail, as their vendors publish them. A preset fills a profile form; the admin still gives the
application (client) id registered at the provider, and the tenant for Microsoft.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import AuthMethod, Endpoint, ProfileKind, Security
from desktop_sync.domain.signin import OAuthProvider
from desktop_sync.domain.validation import field_error


class Preset(enum.Enum):
    MICROSOFT_365 = "microsoft365"
    GOOGLE = "google"


@dataclass(frozen=True, slots=True)
class PresetServers:
    """What a preset fills for one kind of profile."""

    incoming: Endpoint
    outgoing: Endpoint | None
    provider: OAuthProvider
    auth: AuthMethod = AuthMethod.OAUTH2


_M365_SMTP = Endpoint("smtp.office365.com", 587, Security.STARTTLS)
_GMAIL_SMTP = Endpoint("smtp.gmail.com", 465, Security.TLS)
_M365, _GOOGLE = OAuthProvider.MICROSOFT, OAuthProvider.GOOGLE

PRESETS: dict[Preset, dict[ProfileKind, PresetServers]] = {
    Preset.MICROSOFT_365: {
        ProfileKind.IMAP: PresetServers(Endpoint("outlook.office365.com", 993, Security.TLS), _M365_SMTP, _M365),
        ProfileKind.POP3: PresetServers(Endpoint("outlook.office365.com", 995, Security.TLS), _M365_SMTP, _M365),
        ProfileKind.EXCHANGE_ONLINE: PresetServers(Endpoint("graph.microsoft.com", 443, Security.TLS), None, _M365),
    },
    Preset.GOOGLE: {
        ProfileKind.IMAP: PresetServers(Endpoint("imap.gmail.com", 993, Security.TLS), _GMAIL_SMTP, _GOOGLE),
        ProfileKind.POP3: PresetServers(Endpoint("pop.gmail.com", 995, Security.TLS), _GMAIL_SMTP, _GOOGLE),
    },
}


def preset_servers(preset: Preset, kind: ProfileKind) -> PresetServers | None:
    """The servers a preset gives for a kind of profile, or None when the vendor has none of that kind."""
    return PRESETS[preset].get(kind)


PRESET_NAMES = {Preset.MICROSOFT_365: "Microsoft 365", Preset.GOOGLE: "Google Workspace / Gmail"}


def preset_fields(preset: Preset, kind: ProfileKind) -> dict[str, Any]:
    """What a preset fills in a profile form (``ProfileInput``'s field names): hosts, ports, security,
    OAuth 2.0 and the provider. The scopes stay empty, which means the provider's defaults for the
    profile's protocols. ValidationError (on ``preset``) when the vendor has no such kind of server."""
    servers = preset_servers(preset, kind)
    if servers is None:
        raise ValidationError.single(
            "preset", field_error("preset_no_kind", preset=PRESET_NAMES[preset], kind=kind.value)
        )
    fields: dict[str, Any] = {
        "incoming_host": servers.incoming.host,
        "incoming_port": servers.incoming.port,
        "incoming_security": servers.incoming.security,
        "auth": servers.auth,
        "oauth_provider": servers.provider,
    }
    if servers.outgoing is not None:
        fields |= {
            "outgoing_host": servers.outgoing.host,
            "outgoing_port": servers.outgoing.port,
            "outgoing_security": servers.outgoing.security,
        }
    return fields
