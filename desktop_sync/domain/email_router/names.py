"""Names of the router's profiles and of the merged profiles: short, unique and stable for the same files."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence

from desktop_sync.domain.email_router.classify import Classified
from desktop_sync.domain.email_router.model import (
    AUTH_LABELS,
    TYPE_LABELS,
    CredentialMode,
    MergedProfile,
    Pair,
    Role,
    ServerSettings,
)

_CREDENTIAL_LABELS = {
    CredentialMode.LOCAL_SYSTEM: "Local System",
    CredentialMode.USER_SPECIFIED: "mailbox credentials",
    CredentialMode.OTHER_SPECIFIED: "service account",
    CredentialMode.NONE: "anonymous",
}


def _name_candidates(s: ServerSettings, router_name: str | None = None) -> list[str]:
    """Ever longer names for a router profile; the first that no other profile shares is used."""
    base = router_name or f"{TYPE_LABELS[s.server_type]} {s.host or s.provider_class.rsplit('.', 1)[-1]}"
    credentials = _CREDENTIAL_LABELS[s.credentials]
    if s.account:
        credentials += f" {s.account}"
    port = f"port {s.port}" if s.port else "default port"
    return [
        base,
        f"{base} ({credentials})",
        f"{base} ({credentials}, {AUTH_LABELS[s.auth]})",
        f"{base} ({credentials}, {AUTH_LABELS[s.auth]}, {port}, {'SSL' if s.tls else 'no SSL'})",
    ]


def router_name(items: Sequence[Classified]) -> str | None:
    """The router's own name for a group of providers (``ProfileName``): the one they share, or the
    names they carry joined (one group, several names: same settings under different names)."""
    found = sorted({i.provider.profile_name for i in items if i.provider.profile_name}, key=str.lower)
    return " / ".join(found) if found else None


def unique_names(settings: Mapping[ServerSettings, str | None]) -> dict[ServerSettings, str]:
    """Short names, unique within a role: the router's own profile name (else type and host), then
    what tells colliding profiles apart."""
    names: dict[ServerSettings, str] = {}
    for role in Role:
        in_role = sorted(
            (s for s in settings if s.role is role),
            key=lambda s: [c.lower() for c in _name_candidates(s, settings[s])],
        )
        for level in range(4):
            proposed = {s: names.get(s) or _name_candidates(s, settings[s])[level] for s in in_role}
            counts = Counter(n.lower() for n in proposed.values())
            for s, name in proposed.items():
                if s not in names and (counts[name.lower()] == 1 or level == 3):
                    names[s] = name
        seen: Counter[str] = Counter()
        for s in in_role:
            seen[names[s].lower()] += 1
            if seen[names[s].lower()] > 1:
                names[s] = f"{names[s]} #{seen[names[s].lower()]}"
    return names


def unique_merged_names(names: Mapping[Pair, str]) -> dict[Pair, str]:
    result = dict(names)
    counts = Counter(n.lower() for n in result.values())
    for pair, name in names.items():
        if counts[name.lower()] > 1:
            if pair[1] is None:
                hint = "incoming only"
            elif pair[0] is None:
                hint = "outgoing only"
            else:
                hint = "incoming and outgoing"
            result[pair] = f"{name} ({hint})"
    seen: Counter[str] = Counter()
    for pair in sorted(result, key=pair_order):
        seen[result[pair].lower()] += 1
        if seen[result[pair].lower()] > 1:
            result[pair] = f"{result[pair]} #{seen[result[pair].lower()]}"
    return result


def with_name(profile: MergedProfile, name: str) -> MergedProfile:
    if profile.name == name:
        return profile
    validated = dataclasses.replace(profile.profile, name=name) if profile.profile is not None else None
    return dataclasses.replace(profile, name=name, data=dataclasses.replace(profile.data, name=name), profile=validated)


def pair_order(pair: Pair) -> tuple[str, str]:
    return (pair[0].label if pair[0] else "", pair[1].label if pair[1] else "")
