"""Server presets: what an admin picks instead of typing hosts, ports, security and scopes by hand.

Microsoft 365 (Exchange Online: IMAP, POP3 and SMTP AUTH, or Microsoft Graph) and Google Workspace /
Gmail, as their vendors publish them. A preset fills a profile form; the admin still gives the
application (client) id registered at the provider, and the tenant for Microsoft.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop_sync.domain.model import AuthMethod, Endpoint, ProfileKind, Security
from desktop_sync.domain.signin import OAuthProvider


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
