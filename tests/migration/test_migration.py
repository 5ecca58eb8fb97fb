"""The migration service: dry run, the three steps, passwords to the keyring, idempotence on both stores."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from migration.router_samples import (
    EXCHANGE_SMTP,
    FORWARD,
    ONLINE,
    POP3_SMTP,
    SAMPLE_PROFILES,
    RouterFactory,
    seed_directory,
)

from desktop_sync.domain.email_router import AGENT_FILE, RouterFileError
from desktop_sync.domain.email_router.model import EntraApp
from desktop_sync.domain.errors import SecretStoreUnavailable, ValidationError
from desktop_sync.domain.model import (
    ApprovalState,
    AuthMethod,
    ChannelState,
    CredentialsOn,
    Mailbox,
    ProfileKind,
    SyncMethod,
)
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import MailboxService, mailbox_secret_key
from desktop_sync.services.migration import (
    CREDENTIALS_ALERT,
    Action,
    MigrationReport,
    MigrationService,
    MigrationStep,
    Result,
)
from desktop_sync.services.profiles import ProfileService, profile_secret_key
from desktop_sync.store import SqlStore

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(hours=24)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def service(store: SqlStore) -> MigrationService:
    return MigrationService(store, KeyringSecrets(), clock=lambda: NOW)


async def snapshot(store: SqlStore) -> tuple[list[Any], list[Mailbox], list[Any]]:
    async with store.transaction() as tx:
        return list(await tx.profiles.list()), list(await tx.mailboxes.list()), list(await tx.alerts.list())


ENTRA = EntraApp("11111111-2222-3333-4444-555555555555", "contoso.onmicrosoft.com")


def test_dry_run_writes_nothing_and_lists_queues_first(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        return plan, await snapshot(store)

    plan, (profiles, mailboxes, alerts) = run(scenario())
    assert (profiles, mailboxes, alerts) == ([], [], [])
    assert [p.name for p in plan.profiles] == SAMPLE_PROFILES
    assert {p.action for p in plan.profiles} == {Action.CREATE}
    assert [m.address for m in plan.forward_mailboxes] == ["crmforward@contoso.com"]
    assert [m.address for m in plan.mailboxes][:2] == ["sales@contoso.com", "alice.adams@contoso.com"]
    assert len(plan.mailboxes) == 7 and plan.skipped == ()
    text = plan.to_text()
    assert "nothing has been written" in text and "1. CONTOSO\\svc-crmpop on pop.contoso-mail.net" in text
    assert json.loads(json.dumps(plan.to_dict()))["accounts"][0]["login"] == "CONTOSO\\svc-crmpop"


def test_migration_creates_profiles_and_mailboxes_for_test_and_enable(store: SqlStore, sample_router: Path) -> None:
    steps: list[tuple[MigrationStep, int, int]] = []

    async def scenario() -> tuple[MigrationReport, Any]:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        report = await migration.run(plan, {}, lambda step, done, total: steps.append((step, done, total)))
        return report, await snapshot(store)

    report, (profiles, mailboxes, alerts) = run(scenario())
    assert sorted(p.name for p in profiles) == sorted(SAMPLE_PROFILES)
    assert all(p.process_email_from == SINCE for p in profiles)
    by_address = {m.address: m for m in mailboxes}
    assert len(by_address) == 8
    for mailbox in mailboxes:
        assert mailbox.approval is ApprovalState.PENDING
        assert not (mailbox.incoming.enabled or mailbox.outgoing.enabled or mailbox.act.enabled)
        assert mailbox.process_email_from == SINCE
        assert mailbox.act == ChannelState()
    forward = by_address["crmforward@contoso.com"]
    assert forward.is_forward_mailbox and forward.user_id is None and forward.queue_id is None
    assert forward.incoming.method is SyncMethod.SERVER_SIDE and forward.outgoing.method is SyncMethod.NONE
    assert forward.login == "crmforward@contoso.com"
    assert by_address["sales@contoso.com"].queue_id is not None
    assert by_address["alice.adams@contoso.com"].outgoing.method is SyncMethod.SERVER_SIDE  # through EWS
    assert by_address["erin.evans@contoso.com"].login is None  # Exchange Online: the Entra application signs in
    assert by_address["carol.clark@contoso.com"].login is None  # the profile's service account signs in

    # the three steps in order, queues before users
    assert [s for s, done, total in steps if done == total] == list(MigrationStep)
    assert steps[-1] == (MigrationStep.MAILBOXES, 7, 7)
    assert report.mailboxes[0].subject == "sales@contoso.com"

    # no password was given: every profile that signs in with one is marked "credentials needed"; the
    # Exchange Online profile needs its application signed in instead (no password is ever asked for it)
    assert {a.code for a in alerts} == {CREDENTIALS_ALERT}
    names = {p.id: p.name for p in profiles}
    assert sorted(names[a.profile_id] for a in alerts) == sorted(set(SAMPLE_PROFILES) - {ONLINE})
    [signin] = [o for o in report.credentials if o.kind == "sign-in"]
    assert (signin.subject, signin.result) == (ONLINE, Result.NEEDED)
    assert "desktop-sync profile sign-in" in signin.detail
    text = report.to_text()
    assert "Test & Enable" in text and "at most 200 mailboxes per batch" in text and "queues first" in text
    assert report.to_dict()["ready_for_test_and_enable"][0] == "crmforward@contoso.com"


def test_running_twice_creates_nothing_twice(any_store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> tuple[Any, Any, MigrationReport]:
        await seed_directory(any_store)
        first = service(any_store)
        await first.run(
            first.plan(await first.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA)
        )
        after_first = await snapshot(any_store)
        second = service(any_store)
        plan = second.plan(await second.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA)
        assert {p.action for p in plan.profiles} == {Action.KEEP}
        assert {m.action for m in plan.forward_mailboxes + plan.mailboxes} == {Action.UNCHANGED}
        report = await second.run(plan)
        return after_first, await snapshot(any_store), report

    (profiles, mailboxes, alerts), (profiles2, mailboxes2, alerts2), report = run(scenario())
    assert profiles2 == profiles and mailboxes2 == mailboxes
    assert [a.id for a in alerts2] == [a.id for a in alerts]
    assert {o.result for o in report.profiles} == {Result.KEPT}
    assert {o.result for o in report.forward_mailboxes + report.mailboxes} == {Result.UNCHANGED}


def test_passwords_go_to_the_keyring_once_per_account(
    store: SqlStore, sample_router: Path, memory_keyring: Any
) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        passwords = {account: f"pw-{n}" for n, account in enumerate(plan.accounts)}
        report = await migration.run(plan, passwords)
        return plan, report, await snapshot(store)

    _plan, report, (profiles, _mailboxes, alerts) = run(scenario())
    stored = {key: value for (_service, key), value in memory_keyring.passwords.items()}
    assert stored == {
        profile_secret_key(POP3_SMTP): "pw-0",
        mailbox_secret_key("crmforward@contoso.com"): "pw-1",
    }  # Exchange Online's mailboxes sign in through the Entra application: no password
    assert [o.result for o in report.credentials if o.kind == "password"].count(Result.STORED) == 2
    # the Local System profile still needs each mailbox's credentials; the others are complete
    names = {p.id: p.name for p in profiles}
    assert [names[a.profile_id] for a in alerts] == [EXCHANGE_SMTP]
    needed = [o for o in report.credentials if o.result is Result.NEEDED and o.kind == "password"]
    assert [o.subject for o in needed] == [EXCHANGE_SMTP]
    assert "alice.adams@contoso.com" in needed[0].detail and "sales@contoso.com" in needed[0].detail
    assert "pw-" not in report.to_text() + report.to_json()


def test_entering_passwords_later_clears_the_credentials_alert(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        await seed_directory(store)
        migration = service(store)
        reading = await migration.read_routers([sample_router])
        await migration.run(migration.plan(reading, [POP3_SMTP], allow_insecure=[POP3_SMTP], entra_app=ENTRA))
        plan = migration.plan(
            await migration.read_routers([sample_router]), [POP3_SMTP], allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        before = (await snapshot(store))[2]
        await migration.run(plan, {plan.accounts[0]: "secret"})
        async with store.transaction() as tx:
            return before, list(await tx.alerts.list(include_cleared=True))

    before, after = run(scenario())
    assert [a.code for a in before] == [CREDENTIALS_ALERT] and not before[0].cleared
    assert [(a.id, a.cleared) for a in after] == [(before[0].id, True)]


def test_selection_migrates_only_the_chosen_profiles(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        reading = await migration.read_routers([sample_router])
        with pytest.raises(ValidationError) as info:
            migration.plan(reading, ["No such profile"])
        plan = migration.plan(reading, [ONLINE.upper()], entra_app=ENTRA)
        await migration.run(plan)
        return info.value, plan, await snapshot(store)

    error, plan, (profiles, mailboxes, _alerts) = run(scenario())
    assert list(error.errors) == ["select"] and "the profiles found" in error.errors["select"]
    assert [p.name for p in profiles] == [ONLINE]
    assert sorted(m.address for m in mailboxes) == ["erin.evans@contoso.com", "frank.foster@contoso.com"]
    assert {s.subject for s in plan.skipped if s.kind == "profile"} == {EXCHANGE_SMTP, POP3_SMTP, FORWARD}
    assert plan.accounts == ()  # Exchange Online signs in with OAuth 2.0: no password to ask


def test_existing_mailboxes_are_updated_or_left_with_a_reason(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        secrets = KeyringSecrets()
        await ProfileService(store, secrets).add(
            ProfileInput(name="Old", kind=ProfileKind.IMAP, incoming_host="imap.contoso.test")
        )
        mailboxes = MailboxService(store, secrets)
        await mailboxes.add("alice.adams@contoso.com", "Old", user_email="alice.adams@contoso.com")
        await mailboxes.add("bob.old@contoso.com", "Old", user_email="bob.brown@contoso.com")
        await DirectoryService(store).add_user("someone@contoso.com", "Someone")
        await mailboxes.add("carol.clark@contoso.com", "Old", user_email="someone@contoso.com")
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        report = await migration.run(plan)
        return plan, report, await snapshot(store)

    plan, report, (_profiles, mailboxes, _alerts) = run(scenario())
    actions = {m.address: m.action for m in plan.mailboxes}
    assert actions["alice.adams@contoso.com"] is Action.UPDATE
    skipped = {s.subject: s.reason for s in plan.skipped}
    assert "already has the mailbox bob.old@contoso.com" in skipped["bob.brown@contoso.com"]
    assert "belongs to someone else" in skipped["carol.clark@contoso.com"]
    results = {o.subject: o.result for o in report.mailboxes}
    assert results["alice.adams@contoso.com"] is Result.UPDATED
    by_address = {m.address: m for m in mailboxes}
    alice = by_address["alice.adams@contoso.com"]
    assert alice.incoming.method is SyncMethod.SERVER_SIDE and alice.process_email_from == SINCE
    assert by_address["bob.old@contoso.com"].user_id is not None  # untouched


def test_an_existing_profile_of_the_same_name_is_kept(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        await ProfileService(store, KeyringSecrets()).add(
            ProfileInput(name=FORWARD, kind=ProfileKind.IMAP, incoming_host="imap.contoso.test")
        )
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        report = await migration.run(plan)
        return plan, report

    plan, report = run(scenario())
    kept = next(p for p in plan.profiles if p.name == FORWARD)
    assert kept.action is Action.KEEP and "kind" in kept.detail and "differ" in kept.detail
    assert next(o for o in report.profiles if o.subject == FORWARD).result is Result.KEPT


def test_no_secure_keyring_refuses_before_writing(store: SqlStore, sample_router: Path) -> None:
    import keyring.backends.fail

    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        keyring.set_keyring(keyring.backends.fail.Keyring())
        with pytest.raises(SecretStoreUnavailable):
            await migration.run(plan, {plan.accounts[0]: "secret"})
        return await snapshot(store)

    assert run(scenario()) == ([], [], [])


def test_unknown_accounts_are_refused(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> None:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )
        stranger = dataclasses.replace(plan.accounts[0], login="stranger")
        with pytest.raises(ValidationError):
            await migration.run(plan, {stranger: "x"})

    run(scenario())


def test_a_broken_file_stops_everything(store: SqlStore, make_router: RouterFactory) -> None:
    good = make_router()
    broken = make_router(edit=lambda text: text[: len(text) // 2])

    async def scenario() -> Any:
        await seed_directory(store)
        with pytest.raises(RouterFileError) as info:
            await service(store).read_routers([good, broken])
        return info.value, await snapshot(store)

    error, state = run(scenario())
    assert error.path == str(broken / AGENT_FILE) and state == ([], [], [])


def test_profile_credentials_follow_the_profile_kind(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        await migration.run(
            migration.plan(await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA)
        )
        return (await snapshot(store))[0]

    profiles = {p.name: p for p in run(scenario())}
    assert profiles[POP3_SMTP].credentials_on is CredentialsOn.PROFILE
    online = profiles[ONLINE]  # never a password: the Entra application signs in for every mailbox
    assert (online.kind, online.auth, online.credentials_on) == (
        ProfileKind.EXCHANGE_ONLINE,
        AuthMethod.OAUTH2,
        CredentialsOn.PROFILE,
    )
    assert online.oauth is not None and (online.oauth.client_id, online.oauth.tenant) == (ENTRA.client_id, ENTRA.tenant)
    assert online.login is None and online.ews_url is None


def test_without_the_entra_application_exchange_online_is_not_migrated_and_says_why(
    store: SqlStore, sample_router: Path
) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        return migration.plan(await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP])

    plan = run(scenario())
    assert ONLINE not in {p.name for p in plan.profiles}
    [skipped] = [s for s in plan.skipped if s.subject == ONLINE]
    assert "--client-id ID --tenant TENANT" in skipped.reason
    assert {s.subject for s in plan.skipped if s.kind != "profile"} == {
        "erin.evans@contoso.com",
        "frank.foster@contoso.com",
    }


# --- clear text is never turned on by the migration itself


def test_a_profile_without_tls_is_blocked_with_its_mailboxes_until_clear_text_is_allowed(
    store: SqlStore, sample_router: Path
) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(await migration.read_routers([sample_router]), entra_app=ENTRA)
        report = await migration.run(plan, {})
        return plan, report, await snapshot(store)

    plan, report, (profiles, mailboxes, _alerts) = run(scenario())
    assert POP3_SMTP not in {p.name for p in profiles}
    assert all(not p.allow_insecure for p in profiles)
    [blocked] = [s for s in plan.skipped if s.subject == POP3_SMTP]
    assert blocked.reason.startswith("blocked: the router used no SSL/TLS")
    assert "--allow-insecure NAME" in blocked.reason
    held_back = {s.subject: s.reason for s in plan.skipped if s.kind != "profile"}
    assert held_back and all(r == f"its profile {POP3_SMTP} is blocked until clear text is allowed for it"
                             for r in held_back.values())  # fmt: skip
    assert not held_back.keys() & {m.address for m in mailboxes}
    [warning] = [w for w in plan.warnings if w.code.value == "non_ssl"]
    assert warning.blocking and "blocked" in warning.message
    assert f"Not migrated:\n  profile {POP3_SMTP}: blocked: the router used no SSL/TLS" in report.to_text()


def test_allowing_clear_text_for_a_profile_migrates_it_with_a_warning(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> Any:
        await seed_directory(store)
        migration = service(store)
        plan = migration.plan(
            await migration.read_routers([sample_router]), allow_insecure=[POP3_SMTP.upper()], entra_app=ENTRA
        )
        await migration.run(plan, {})
        return plan, await snapshot(store)

    plan, (profiles, _mailboxes, _alerts) = run(scenario())
    [pop3] = [p for p in profiles if p.name == POP3_SMTP]
    assert pop3.allow_insecure
    assert [p.name for p in profiles if p.allow_insecure] == [POP3_SMTP]  # only the one allowed
    [warning] = [w for w in plan.warnings if w.code.value == "non_ssl"]
    assert not warning.blocking and "clear text" in warning.message


def test_allowing_clear_text_for_an_unknown_profile_is_refused(store: SqlStore, sample_router: Path) -> None:
    async def scenario() -> None:
        migration = service(store)
        migration.plan(await migration.read_routers([sample_router]), allow_insecure=["No such profile"])

    with pytest.raises(ValidationError) as info:
        run(scenario())
    assert list(info.value.errors) == ["allow_insecure"]
