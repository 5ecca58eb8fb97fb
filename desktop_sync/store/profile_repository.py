"""Server profiles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import AuthMethod, CredentialsOn, Endpoint, Profile, ProfileId, ProfileKind, Security
from desktop_sync.domain.signin import MICROSOFT_AUTHORITY, OAuthProvider, OAuthSettings
from desktop_sync.store.models import ProfileRow
from desktop_sync.store.writes import flush_unique


def _profile(row: ProfileRow) -> Profile:
    outgoing = None
    if row.outgoing_host and row.outgoing_port and row.outgoing_security:
        outgoing = Endpoint(row.outgoing_host, row.outgoing_port, Security(row.outgoing_security))
    return Profile(
        id=ProfileId(row.id),
        name=row.name,
        kind=ProfileKind(row.kind),
        incoming=Endpoint(row.incoming_host, row.incoming_port, Security(row.incoming_security)),
        outgoing=outgoing,
        ews_url=row.ews_url,
        auth=AuthMethod(row.auth),
        credentials_on=CredentialsOn(row.credentials_on),
        login=row.login,
        max_connections=row.max_connections,
        timeout_seconds=row.timeout_seconds,
        min_poll_seconds=row.min_poll_seconds,
        process_email_from=row.process_email_from,
        ca_file=row.ca_file,
        allow_insecure=row.allow_insecure,
        delete_after_download=row.delete_after_download,
        tracking_token_prefix=row.tracking_token_prefix,
        tracked_category=row.tracked_category,
        tag_undeliverable=row.tag_undeliverable,
        oauth=_oauth(row),
    )


def _oauth(row: ProfileRow) -> OAuthSettings | None:
    if row.auth != AuthMethod.OAUTH2.value or not row.oauth_provider:
        return None
    return OAuthSettings(
        provider=OAuthProvider(row.oauth_provider),
        client_id=row.oauth_client_id or "",
        tenant=row.oauth_tenant or "organizations",
        issuer=row.oauth_issuer or "",
        scopes=tuple((row.oauth_scopes or "").split()),
        authority_host=row.oauth_authority_host or MICROSOFT_AUTHORITY,
        ca_file=row.ca_file,  # the identity provider is verified like the mail server
    )


def _fill_profile(row: ProfileRow, p: Profile) -> None:
    row.name = p.name
    row.kind = p.kind.value
    row.incoming_host = p.incoming.host
    row.incoming_port = p.incoming.port
    row.incoming_security = p.incoming.security.value
    row.outgoing_host = p.outgoing.host if p.outgoing else None
    row.outgoing_port = p.outgoing.port if p.outgoing else None
    row.outgoing_security = p.outgoing.security.value if p.outgoing else None
    row.ews_url = p.ews_url
    row.auth = p.auth.value
    row.credentials_on = p.credentials_on.value
    row.login = p.login
    row.max_connections = p.max_connections
    row.timeout_seconds = p.timeout_seconds
    row.min_poll_seconds = p.min_poll_seconds
    row.process_email_from = p.process_email_from
    row.ca_file = p.ca_file
    row.allow_insecure = p.allow_insecure
    row.delete_after_download = p.delete_after_download
    row.tracking_token_prefix = p.tracking_token_prefix
    row.tracked_category = p.tracked_category
    row.tag_undeliverable = p.tag_undeliverable
    o = p.oauth
    row.oauth_provider = o.provider.value if o else None
    row.oauth_client_id = o.client_id if o else None
    row.oauth_tenant = o.tenant if o else None
    row.oauth_issuer = (o.issuer or None) if o else None
    row.oauth_scopes = (" ".join(o.scopes) or None) if o else None
    row.oauth_authority_host = o.authority_host if o and o.authority_host != MICROSOFT_AUTHORITY else None


class SqlProfiles:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, profile: Profile) -> Profile:
        row = ProfileRow()
        _fill_profile(row, profile)
        self._s.add(row)
        await flush_unique(self._s, "name", f"a profile named {profile.name!r}")
        return _profile(row)

    async def update(self, profile: Profile) -> Profile:
        row = await self._s.get(ProfileRow, profile.id)
        if row is None:
            raise LookupError(f"profile {profile.id} vanished")
        _fill_profile(row, profile)
        await flush_unique(self._s, "name", f"a profile named {profile.name!r}")
        return _profile(row)

    async def get(self, profile_id: ProfileId) -> Profile | None:
        row = await self._s.get(ProfileRow, profile_id)
        return _profile(row) if row else None

    async def by_name(self, name: str) -> Profile | None:
        row = await self._s.scalar(select(ProfileRow).where(ProfileRow.name == name))
        return _profile(row) if row else None

    async def list(self) -> Sequence[Profile]:
        rows = await self._s.scalars(select(ProfileRow).order_by(ProfileRow.name))
        return [_profile(r) for r in rows]

    async def delete(self, profile_id: ProfileId) -> None:
        await self._s.execute(delete(ProfileRow).where(ProfileRow.id == profile_id))
