"""The analysis of up to four routers: providers classified, grouped into the router's profiles, matched
with the store's users and queues, and each pair actually used merged into one profile."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from desktop_sync.domain.email_router.classify import Classified, Unusable, classify, credential_mode
from desktop_sync.domain.email_router.files import RouterFiles, Setting, StateRecord
from desktop_sync.domain.email_router.merge import merge_pair
from desktop_sync.domain.email_router.model import (
    Account,
    CredentialMode,
    MailboxKind,
    MailboxOwner,
    MergedProfile,
    Note,
    OwnerKind,
    Pair,
    Role,
    RouterMailbox,
    RouterProfile,
    RouterReading,
    RouterSummary,
    RouterWarning,
    ServerSettings,
    ServerType,
    StoreSnapshot,
    WarningCode,
)
from desktop_sync.domain.email_router.names import (
    pair_order,
    router_name,
    unique_merged_names,
    unique_names,
    with_name,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import migration_text
from desktop_sync.domain.model import CredentialsOn, Profile, Queue, User
from desktop_sync.domain.validation import normalize_crm_id


def analyze(routers: Sequence[RouterFiles], snapshot: StoreSnapshot) -> RouterReading:
    """Group, merge and map the routers' providers against the store's users and queues."""
    warnings: list[RouterWarning] = []

    def warn(code: WarningCode, message: str, profile: str | None = None, blocking: bool = False) -> None:
        warnings.append(RouterWarning(code, message, profile, blocking))

    # 1. every provider classified; what cannot be read says why
    classified: list[Classified] = []
    deployments: set[str] = set()
    summaries: list[RouterSummary] = []
    states: dict[str, StateRecord] = {}
    for router in routers:
        for note in router.agent.notes:
            warn(WarningCode.FILE_STRUCTURE, note)
        provider_unknown = [s for provider in router.agent.providers for s in provider.unknown]
        if provider_unknown:  # once per file, however many providers or profiles carry them
            warn(
                WarningCode.UNKNOWN_ELEMENTS,
                migration_text(
                    "unknown_elements", source=router.agent.source, elements=_describe_unknown(provider_unknown)
                ),
            )
        if router.agent.unknown_settings:
            listed = ", ".join(f"{s.name}={s.value}" for s in router.agent.unknown_settings)
            warn(
                WarningCode.UNKNOWN_SETTINGS,
                migration_text("unknown_settings", source=router.agent.source, settings=listed),
            )
        router_deployments = sorted({p.crm_server_url for p in router.agent.providers if p.crm_server_url})
        deployments.update(router_deployments)
        summaries.append(
            RouterSummary(
                router.directory,
                router.sizes,
                len(router.agent.providers),
                tuple(router_deployments),
                router.agent.settings,
                router.agent.unknown_settings,
                len(router.state),
            )
        )
        for record in router.state:
            if record.address:
                key = record.address.strip().lower()
                previous = states.get(key)
                if (
                    previous is None
                    or previous.threshold is None
                    or (record.threshold is not None and record.threshold > previous.threshold)
                ):
                    states[key] = record
        for provider in router.agent.providers:
            result = classify(provider)
            if isinstance(result, Unusable):
                if provider.email_address:
                    text = migration_text(
                        "provider_unusable_address",
                        address=provider.email_address,
                        source=provider.source,
                        reason=result.reason,
                    )
                else:
                    text = migration_text("provider_unusable", source=provider.source, reason=result.reason)
                warn(WarningCode.PROVIDER_UNUSABLE, text, blocking=True)
                continue
            classified.append(result)
            for code, message in result.notes:
                warn(code, message)

    def threshold(address: str) -> dict[str, Any]:
        record = states.get(address)
        if record is None:
            return {}
        unset = record.threshold is None and record.threshold_raw is not None
        return {"threshold": record.threshold, "threshold_unset": unset}

    if len(deployments) > 1:
        warn(
            WarningCode.SEVERAL_DEPLOYMENTS,
            migration_text("several_deployments", deployments=", ".join(sorted(deployments))),
        )
    if not any(router.state for router in routers):
        warn(WarningCode.NO_STATE, migration_text("no_state"))

    # 2. the router's incoming and outgoing profiles, rebuilt by grouping
    groups = _group(classified, warn)
    names = unique_names({s: router_name(items) for s, items in groups.items()})
    router_profiles = {s: _router_profile(s, names[s], items) for s, items in groups.items()}
    incoming = sorted((p for p in router_profiles.values() if p.role is Role.INCOMING), key=lambda p: p.name)
    outgoing = sorted((p for p in router_profiles.values() if p.role is Role.OUTGOING), key=lambda p: p.name)
    for profile in incoming + outgoing:
        if profile.problem:
            webdav = profile.settings.server_type is ServerType.WEBDAV
            code = WarningCode.EXCHANGE_WEBDAV if webdav else WarningCode.CUSTOM_PROVIDER
            warn(code, profile.problem, profile.label, blocking=True)

    # 3. whose mailbox each provider serves: by address (incoming), by CRM id (outgoing)
    users_by_email = {u.email.lower(): u for u in snapshot.users}
    queues_by_email = {q.email.lower(): q for q in snapshot.queues}
    users_by_crm = {u.crm_id.lower(): u for u in snapshot.users if u.crm_id}
    queues_by_crm = {q.crm_id.lower(): q for q in snapshot.queues if q.crm_id}
    forward: dict[str, list[tuple[RouterProfile, Classified]]] = defaultdict(list)
    reads: dict[MailboxOwner, list[tuple[RouterProfile, Classified]]] = defaultdict(list)
    sends: dict[MailboxOwner, list[RouterProfile]] = defaultdict(list)
    unmatched_mailboxes: list[RouterMailbox] = []
    for settings, items in groups.items():
        profile = router_profiles[settings]
        for item in items:
            if item.role is not Role.INCOMING:
                continue
            assert item.address is not None
            if item.forward:
                forward[item.address].append((profile, item))
                continue
            owner = _owner_by_email(item.address, users_by_email, queues_by_email)
            if owner is not None:
                reads[owner].append((profile, item))
                continue
            problem = migration_text("address_unmatched")
            unmatched_mailboxes.append(
                RouterMailbox(
                    item.address,
                    MailboxKind.UNMATCHED,
                    incoming=profile.label,
                    sources=(item.provider.source,),
                    **threshold(item.address),
                    problem=problem,
                )
            )
            text = migration_text("mailbox_not_migrated", address=item.address, problem=problem)
            warn(WarningCode.UNMATCHED_ADDRESS, text, profile.label, True)
    for profile in outgoing:
        unmatched: list[str] = []
        listed_ids: tuple[tuple[OwnerKind, tuple[str, ...], Mapping[str, User | Queue]], ...] = (
            (OwnerKind.USER, profile.user_ids, users_by_crm),
            (OwnerKind.QUEUE, profile.queue_ids, queues_by_crm),
        )
        for kind, ids, index in listed_ids:
            for raw in ids:
                try:
                    crm_id = normalize_crm_id(raw)
                except ValidationError:
                    unmatched.append(migration_text("id_not_guid", value=repr(raw)))
                    continue
                found = index.get(crm_id or "")
                if found is None:
                    unmatched.append(f"{kind.value} {raw}")
                    continue
                owner = MailboxOwner(kind, found.email.lower(), found.name, found.crm_id)
                if profile not in sends[owner]:
                    sends[owner].append(profile)
        if unmatched:
            warn(
                WarningCode.UNMATCHED_ID,
                migration_text(
                    "id_unmatched" if len(unmatched) == 1 else "ids_unmatched",
                    count=len(unmatched),
                    ids=", ".join(unmatched),
                ),
                profile.label,
            )

    # 4. each owner's pair; one merged profile per pair actually used
    assignments: list[tuple[RouterMailbox, Pair | None]] = []
    used: set[Pair] = set()
    for owner in sorted(set(reads) | set(sends), key=lambda o: (o.kind.value, o.email)):
        owner_reads = reads.get(owner, [])
        in_profiles = sorted({p.label: p for p, _ in owner_reads}.values(), key=lambda p: p.label)
        out_profiles = sends.get(owner, [])
        address = owner_reads[0][1].address if owner_reads else owner.email
        assert address is not None
        mailbox = RouterMailbox(
            address,
            MailboxKind.QUEUE if owner.kind is OwnerKind.QUEUE else MailboxKind.USER,
            owner,
            incoming=in_profiles[0].label if len(in_profiles) == 1 else None,
            outgoing=out_profiles[0].label if len(out_profiles) == 1 else None,
            login=_own_login(owner_reads),
            **threshold(address),
            sources=tuple(item.provider.source for _, item in owner_reads),
        )
        if len(in_profiles) > 1 or len(out_profiles) > 1:
            several = in_profiles if len(in_profiles) > 1 else out_profiles
            problem = migration_text("served_by_several", profiles=", ".join(p.label for p in several))
            text = migration_text("mailbox_not_migrated", address=address, problem=problem)
            warn(WarningCode.MAILBOX_CONFLICT, text, blocking=True)
            assignments.append((dataclasses.replace(mailbox, problem=problem), None))
            continue
        in_profile = in_profiles[0] if in_profiles else None
        out_profile = out_profiles[0] if out_profiles else None
        if in_profile is not None and in_profile.problem:
            assignments.append((dataclasses.replace(mailbox, problem=in_profile.problem), None))
            continue
        if out_profile is not None and out_profile.problem:
            out_profile = None  # its warning says why; the mailbox still gets its incoming mail
        if in_profile is None and out_profile is None:
            problem = migration_text("only_profile_unusable")
            assignments.append((dataclasses.replace(mailbox, problem=problem), None))
            continue
        pair = (in_profile, out_profile)
        used.add(pair)
        assignments.append((mailbox, pair))
    merged: dict[Pair, tuple[MergedProfile, list[Note]]] = {}
    for pair in sorted(used, key=pair_order):
        merged[pair] = merge_pair(pair[0], pair[1], groups)

    # forward mailboxes: the merged profile of their incoming profile when there is exactly one, else their own
    for address in sorted(forward):
        forward_reads = forward[address]
        in_profiles = sorted({p.label: p for p, _ in forward_reads}.values(), key=lambda p: p.label)
        mailbox = RouterMailbox(
            address,
            MailboxKind.FORWARD,
            incoming=in_profiles[0].label if len(in_profiles) == 1 else None,
            login=_own_login(forward_reads),
            **threshold(address),
            sources=tuple(item.provider.source for _, item in forward_reads),
        )
        if len(in_profiles) > 1:
            problem = migration_text("read_by_several", profiles=", ".join(p.label for p in in_profiles))
            text = migration_text("mailbox_not_migrated", address=address, problem=problem)
            warn(WarningCode.MAILBOX_CONFLICT, text, blocking=True)
            assignments.append((dataclasses.replace(mailbox, problem=problem), None))
            continue
        in_profile = in_profiles[0]
        if in_profile.problem:
            assignments.append((dataclasses.replace(mailbox, problem=in_profile.problem), None))
            continue
        candidates = [pair for pair in merged if pair[0] is in_profile]
        pair = candidates[0] if len(candidates) == 1 else (in_profile, None)
        if pair not in merged:
            merged[pair] = merge_pair(in_profile, None, groups, forward_only=True)
        assignments.append((mailbox, pair))

    # 5. final names (unique, stable for the same files), warnings beside their profile
    final_names = unique_merged_names({pair: made.name for pair, (made, _) in merged.items()})
    final: dict[Pair, MergedProfile] = {}
    for pair, (made, notes) in sorted(merged.items(), key=lambda item: final_names[item[0]].lower()):
        renamed = with_name(made, final_names[pair])
        final[pair] = renamed
        if renamed.problem and not renamed.needs_entra_app:  # the plan completes those, or says what is missing
            text = migration_text("profile_not_migrated", problem=renamed.problem)
            warn(WarningCode.PROFILE_INVALID, text, renamed.name, blocking=True)
        for code, text, blocking in notes:
            warn(code, text, renamed.name, blocking)
    mailboxes: list[RouterMailbox] = list(unmatched_mailboxes)
    for mailbox, assigned in assignments:
        if assigned is not None:
            target = final[assigned]
            why = (
                migration_text("profile_cannot_be_migrated", profile=target.name, problem=target.problem)
                if target.problem and not target.needs_entra_app  # the plan decides those with the Entra app
                else None
            )
            mailbox = dataclasses.replace(mailbox, profile=target.name, problem=why)
        mailboxes.append(mailbox)
    mailboxes.sort(key=lambda m: (list(MailboxKind).index(m.kind), m.address))

    reading = RouterReading(
        routers=tuple(summaries),
        incoming=tuple(incoming),
        outgoing=tuple(outgoing),
        profiles=tuple(final.values()),
        mailboxes=tuple(mailboxes),
        accounts=(),
        warnings=tuple(warnings),
        snapshot=snapshot,
    )
    return dataclasses.replace(reading, accounts=accounts_for(reading, [p.name for p in reading.profiles]))


def _describe_unknown(settings: Sequence[Setting]) -> str:
    values: dict[str, list[str]] = defaultdict(list)
    for setting in settings:
        values[setting.name].append(setting.value)
    parts = []
    for name, found in sorted(values.items()):
        shown = ", ".join(repr(v) for v in found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        parts.append(f"{name} ({shown})")
    return "; ".join(parts)


def _group(classified: Sequence[Classified], warn: Callable[..., None]) -> dict[ServerSettings, list[Classified]]:
    """Providers grouped by server, type, authentication and credential settings."""
    # An account several incoming mailboxes sign in with is a service account ("Other specified").
    counts = Counter(
        (item.provider.email_user or "").strip().lower()
        for item in classified
        if item.role is Role.INCOMING and item.provider.email_user
    )
    shared = {user for user, count in counts.items() if count > 1}
    groups: dict[ServerSettings, list[Classified]] = defaultdict(list)
    for item in classified:
        mode, account = credential_mode(item, shared)
        own_login = (item.provider.email_user or "").strip()
        if mode is CredentialMode.USER_SPECIFIED and own_login.lower() != item.address:
            warn(
                WarningCode.CREDENTIALS_INFERRED,
                migration_text("credentials_inferred", address=item.address, login=own_login),
            )
        unusable = item.server_type in (ServerType.CUSTOM, ServerType.WEBDAV)
        settings = ServerSettings(
            role=item.role,
            server_type=item.server_type,
            host=item.host,
            port=item.port,
            tls=item.tls,
            ews_url=item.ews_url,
            auth=item.auth,
            credentials=mode,
            account=account,
            provider_class=(item.provider.provider_class or "") if unusable else "",
        )
        groups[settings].append(item)
    return groups


def _owner_by_email(address: str, users: Mapping[str, User], queues: Mapping[str, Queue]) -> MailboxOwner | None:
    if address in queues:
        queue = queues[address]
        return MailboxOwner(OwnerKind.QUEUE, queue.email.lower(), queue.name, queue.crm_id)
    if address in users:
        user = users[address]
        return MailboxOwner(OwnerKind.USER, user.email.lower(), user.name, user.crm_id)
    return None


def _own_login(reads: Sequence[tuple[RouterProfile, Classified]]) -> str | None:
    """The mailbox's own account, when its profile keeps credentials on each mailbox."""
    for profile, item in reads:
        if profile.settings.credentials is CredentialMode.USER_SPECIFIED and item.provider.email_user:
            return item.provider.email_user.strip()
    return None


def _router_profile(settings: ServerSettings, name: str, items: Sequence[Classified]) -> RouterProfile:
    unknown = tuple(sorted({s for item in items for s in item.provider.unknown}, key=lambda s: (s.name, s.value)))
    problem = None
    if settings.server_type is ServerType.WEBDAV:
        problem = migration_text("webdav", host=settings.host)
    elif settings.server_type is ServerType.CUSTOM:
        problem = migration_text("custom_provider", provider_class=settings.provider_class)
    return RouterProfile(
        role=settings.role,
        name=name,
        settings=settings,
        sources=tuple(i.provider.source for i in items),
        addresses=tuple(sorted({i.address for i in items if i.address})),
        user_ids=tuple(dict.fromkeys(uid for i in items for uid in i.provider.user_ids)),
        queue_ids=tuple(dict.fromkeys(qid for i in items for qid in i.provider.queue_ids)),
        unknown=unknown,
        problem=problem,
    )



def accounts_for(reading: RouterReading, profile_names: Collection[str]) -> tuple[Account, ...]:
    """The accounts whose passwords are needed for ``profile_names``, in a stable order: service
    accounts in profile order, then mailboxes' own accounts in mailbox order. One per account."""
    wanted = set(profile_names)
    profiles = [p for p in reading.profiles if p.name in wanted and p.profile is not None]
    order: list[tuple[CredentialsOn, str, str]] = []
    holders: dict[tuple[CredentialsOn, str, str], tuple[list[str], list[str], str]] = {}

    def add(scope: CredentialsOn, server: str, login: str, profile: str | None, mailbox: str | None) -> None:
        key = (scope, server, login.lower())
        if key not in holders:
            holders[key] = ([], [], login)
            order.append(key)
        if profile is not None and profile not in holders[key][0]:
            holders[key][0].append(profile)
        if mailbox is not None and mailbox not in holders[key][1]:
            holders[key][1].append(mailbox)

    servers = {p.name: _server_of(p.profile) for p in profiles if p.profile is not None}
    for merged in profiles:
        assert merged.profile is not None
        if merged.profile.credentials_on is CredentialsOn.PROFILE and merged.profile.login:
            add(CredentialsOn.PROFILE, servers[merged.name], merged.profile.login, merged.name, None)
    by_name = {p.name: p for p in profiles}
    for mailbox in reading.mailboxes:
        merged_profile = by_name.get(mailbox.profile or "")
        if mailbox.problem or merged_profile is None or merged_profile.profile is None:
            continue
        if merged_profile.profile.credentials_on is CredentialsOn.MAILBOX and mailbox.login:
            add(CredentialsOn.MAILBOX, servers[merged_profile.name], mailbox.login, None, mailbox.address)
    return tuple(
        Account(
            login=holders[k][2], server=k[1], scope=k[0], profiles=tuple(holders[k][0]), mailboxes=tuple(holders[k][1])
        )
        for k in order
    )


def _server_of(profile: Profile) -> str:
    return profile.incoming.host

