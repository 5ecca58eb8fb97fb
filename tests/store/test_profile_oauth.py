"""A profile's OAuth 2.0 settings: checked like every other field, kept by the store, and the profiles
that used OAuth before revision 0013 (Exchange with client credentials) keep signing in the same way."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Endpoint, Mailbox, Profile, ProfileKind, Security
from desktop_sync.domain.signin import GRAPH_APP_SCOPE, OAuthProvider, Protocol
from desktop_sync.domain.validation import GRAPH_HOST, ProfileInput, validate_profile
from desktop_sync.store import SqlStore, open_store
from desktop_sync.store.database import alembic_config, make_sync_engine, resolve_url


def m365_imap(**changes: object) -> ProfileInput:
    fields: dict[str, object] = {
        "name": "Microsoft 365",
        "kind": ProfileKind.IMAP,
        "incoming_host": "outlook.office365.com",
        "outgoing_host": "smtp.office365.com",
        "outgoing_security": Security.STARTTLS,
        "auth": AuthMethod.OAUTH2,
        "oauth_provider": OAuthProvider.MICROSOFT,
        "client_id": "11111111-2222-3333-4444-555555555555",
    }
    fields.update(changes)
    return ProfileInput(**fields)  # type: ignore[arg-type]


def test_an_imap_profile_signs_in_at_microsoft_with_the_imap_and_smtp_scopes() -> None:
    profile = validate_profile(m365_imap())
    assert profile.oauth is not None and profile.oauth.tenant == "organizations"
    assert profile.oauth.scopes_for(profile.protocols) == (
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send",
    )


def test_exchange_online_is_oauth_at_microsoft_on_graph_and_its_app_token_is_graphs() -> None:
    profile = validate_profile(
        ProfileInput(
            name="Online",
            kind=ProfileKind.EXCHANGE_ONLINE,
            auth=AuthMethod.OAUTH2,
            client_id="app",
            tenant="contoso.onmicrosoft.com",
            credentials_on=CredentialsOn.PROFILE,
        )
    )
    assert profile.incoming.host == GRAPH_HOST and profile.incoming.port == 443
    assert profile.has_act and profile.protocols == (Protocol.GRAPH,)
    assert profile.oauth is not None and profile.oauth.provider is OAuthProvider.MICROSOFT
    assert profile.oauth.app_scopes_for(profile.protocols) == (GRAPH_APP_SCOPE,)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"client_id": None}, "client_id"),
        ({"client_id": "a b"}, "client_id"),
        ({"oauth_provider": None}, "oauth_provider"),
        ({"oauth_provider": OAuthProvider.OIDC}, "issuer"),
        ({"oauth_provider": OAuthProvider.OIDC, "issuer": "https://id.example.test"}, "scopes"),
        ({"oauth_provider": OAuthProvider.GOOGLE, "tenant": "contoso.com"}, "tenant"),
        ({"oauth_provider": OAuthProvider.GOOGLE, "credentials_on": CredentialsOn.PROFILE}, "credentials_on"),
        ({"credentials_on": CredentialsOn.PROFILE}, "tenant"),  # an app's own token needs its tenant
        ({"tenant": "contoso com"}, "tenant"),
        ({"scopes": ("IMAP AccessAsUser",)}, "scopes"),
        ({"authority_host": "http://login.example.test"}, "authority_host"),
        ({"auth": AuthMethod.BASIC}, "client_id"),  # OAuth settings on a password profile
    ],
)
def test_each_wrong_oauth_setting_is_named_at_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_profile(m365_imap(**changes))
    assert field in caught.value.errors


def test_exchange_online_refuses_passwords_and_other_providers() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_profile(ProfileInput(name="Online", kind=ProfileKind.EXCHANGE_ONLINE, outgoing_host="smtp.x.test"))
    assert {"auth", "outgoing_host"} <= caught.value.errors.keys()
    with pytest.raises(ValidationError) as caught:
        validate_profile(
            ProfileInput(
                name="Online",
                kind=ProfileKind.EXCHANGE_ONLINE,
                auth=AuthMethod.OAUTH2,
                oauth_provider=OAuthProvider.GOOGLE,
                client_id="app",
            )
        )
    assert "oauth_provider" in caught.value.errors


_text = st.one_of(st.none(), st.text(max_size=60))


@settings(max_examples=2000, deadline=None)
@given(
    provider=st.one_of(st.none(), st.sampled_from(OAuthProvider)),
    client_id=_text,
    tenant=_text,
    issuer=_text,
    scopes=st.lists(st.text(max_size=40), max_size=4).map(tuple),
    authority_host=_text,
    app_only=st.booleans(),
    kind=st.sampled_from(ProfileKind),
)
def test_any_oauth_settings_are_a_profile_or_field_errors_never_a_crash(
    provider: OAuthProvider | None,
    client_id: str | None,
    tenant: str | None,
    issuer: str | None,
    scopes: tuple[str, ...],
    authority_host: str | None,
    app_only: bool,
    kind: ProfileKind,
) -> None:
    data = m365_imap(
        kind=kind,
        outgoing_host=None if kind.is_exchange else "smtp.office365.com",
        oauth_provider=provider,
        client_id=client_id,
        tenant=tenant,
        issuer=issuer,
        scopes=scopes,
        authority_host=authority_host,
        credentials_on=CredentialsOn.PROFILE if app_only else CredentialsOn.MAILBOX,
    )
    try:
        profile = validate_profile(data)
    except ValidationError as error:
        assert error.errors and all(isinstance(v, str) and v for v in error.errors.values())
        return
    oauth = profile.oauth
    assert oauth is not None and oauth.client_id and not any(ch.isspace() for ch in oauth.client_id)
    assert all(scope and not any(ch.isspace() for ch in scope) for scope in oauth.scopes)
    if oauth.provider is OAuthProvider.OIDC:
        assert oauth.issuer.startswith("https://") and oauth.scopes
    assert oauth.scopes_for(profile.protocols) or oauth.provider is OAuthProvider.OIDC


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.sqlite3"
    return str(request.getfixturevalue("pg_url"))


def test_the_store_keeps_every_oauth_setting_and_forgets_them_with_a_password(url: str) -> None:
    profile = validate_profile(
        m365_imap(
            oauth_provider=OAuthProvider.OIDC,
            issuer="https://id.example.test/realms/mail",
            scopes=("openid", "email", "mail.imap"),
            tenant=None,
            ca_file="/etc/ssl/private-ca.pem",
        )
    )
    store = open_store(url)

    async def scenario() -> tuple[Profile, Profile | None, Profile | None]:
        async with store.transaction() as tx:
            added = await tx.profiles.add(profile)
        async with store.transaction() as tx:
            loaded = await tx.profiles.by_name(profile.name)
        assert loaded is not None
        async with store.transaction() as tx:
            await tx.profiles.update(dataclasses.replace(loaded, auth=AuthMethod.BASIC, oauth=None))
        async with store.transaction() as tx:
            return added, loaded, await tx.profiles.by_name(profile.name)

    try:
        added, loaded, password = asyncio.run(scenario())
    finally:
        asyncio.run(store.close())
    assert loaded == added and loaded.oauth == profile.oauth
    assert loaded.oauth is not None and loaded.oauth.ca_file == "/etc/ssl/private-ca.pem"
    assert password is not None and password.oauth is None and password.auth is AuthMethod.BASIC


def test_profiles_that_used_oauth_before_keep_their_client_id_and_tenant(url: str) -> None:
    """Before 0013 an OAuth profile was Exchange with client credentials: the login held the client id
    and the tenant was the mailboxes' domain. Upgrading fills the new settings from them."""
    store: SqlStore = open_store(url)
    before = Profile(
        name="Online",
        kind=ProfileKind.EXCHANGE,
        incoming=Endpoint("outlook.office365.com", 443, Security.TLS),
        ews_url="https://outlook.office365.com/EWS/Exchange.asmx",
        auth=AuthMethod.OAUTH2,
        credentials_on=CredentialsOn.PROFILE,
        login="the-app-id",
    )

    async def seed() -> None:
        async with store.transaction() as tx:
            added = await tx.profiles.add(before)
            assert added.id is not None
            await tx.mailboxes.add(Mailbox(address="ann@contoso.test", profile_id=added.id))

    async def load() -> Profile | None:
        async with store.transaction() as tx:
            return await tx.profiles.by_name("Online")

    try:
        asyncio.run(seed())
    finally:
        asyncio.run(store.close())
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0012_alerts")
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()
    store = open_store(url)
    try:
        loaded = asyncio.run(load())
    finally:
        asyncio.run(store.close())
    assert loaded is not None and loaded.oauth is not None
    assert (loaded.oauth.provider, loaded.oauth.client_id, loaded.oauth.tenant) == (
        OAuthProvider.MICROSOFT,
        "the-app-id",
        "contoso.test",
    )
