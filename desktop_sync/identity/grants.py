"""What a sign-in or a refresh yields, and how a provider's refusal is told."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.domain.errors import DesktopSyncError, ErrorScope
from desktop_sync.domain.signin import AccessToken, ProviderUnavailable, SignInNeeded, SignInRefused

# OAuth error codes (RFC 6749 5.2, RFC 8628 3.5, OpenID Connect) by what they mean for the mailbox.
GRANT_LOST = frozenset({"invalid_grant", "interaction_required", "login_required", "consent_required"})
PROVIDER_DOWN = frozenset({"temporarily_unavailable", "server_error"})


@dataclass(frozen=True, slots=True)
class Grant:
    """An access token (memory only) and the grant to keep in the keyring (refresh token and account)."""

    access: AccessToken
    blob: str = field(repr=False)


def refused(
    answer: Mapping[str, Any], *, first: bool = False, grant_lost_scope: ErrorScope = ErrorScope.MAILBOX
) -> DesktopSyncError:
    """The error for a provider's refusal. ``first``: during a sign-in, where nothing was granted yet."""
    code = str(answer.get("error", "unknown_error"))
    # The description may quote the request; keep the provider's first line, never more.
    description = str(answer.get("error_description", "")).splitlines()[0:1]
    said = f"{code}: {description[0]}" if description else code
    if code in PROVIDER_DOWN:
        return ProviderUnavailable(f"the identity provider is unavailable ({said})")
    if code in GRANT_LOST and not first:
        return SignInNeeded(f"the identity provider no longer accepts this sign-in ({said})", scope=grant_lost_scope)
    return SignInRefused(f"the identity provider refused the sign-in ({said})", scope=grant_lost_scope)
