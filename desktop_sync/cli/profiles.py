"""``desktop-sync profile ...``: email server profiles, their OAuth 2.0 settings and presets (the service
account's sign-in is in ``signin``)."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from collections.abc import Sequence
from typing import Any

from desktop_sync.cli import signin
from desktop_sync.cli.arguments import iso_date, read_password
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import print_table, profile_json, sign_in_json
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import (
    TRACKED_CATEGORY_DEFAULT,
    UNDELIVERABLE_CATEGORY,
    AuthMethod,
    CredentialsOn,
    Direction,
    Profile,
    ProfileKind,
    Security,
    default_port,
)
from desktop_sync.domain.presets import Preset, preset_fields
from desktop_sync.domain.signin import OAuthProvider
from desktop_sync.domain.validation import ProfileInput, profile_input

# --auth as typed -> the stored method: "password" is "basic", "oauth" is "oauth2"
AUTH_ALIASES = {"password": AuthMethod.BASIC.value, "oauth": AuthMethod.OAUTH2.value}
AUTH_CHOICES = ["password", "basic", "ntlm", "oauth", AuthMethod.OAUTH2.value]
OAUTH_FIELDS = ("oauth_provider", "client_id", "tenant", "issuer", "scopes", "authority_host")
# flag -> ProfileInput field, for the flags that map one to one (None: not given)
PLAIN_FLAGS = {
    "incoming_host": "incoming_host",
    "incoming_port": "incoming_port",
    "outgoing_host": "outgoing_host",
    "outgoing_port": "outgoing_port",
    "ews_url": "ews_url",
    "login": "login",
    "max_connections": "max_connections",
    "timeout": "timeout_seconds",
    "min_poll": "min_poll_seconds",
    "process_email_from": "process_email_from",
    "ca_file": "ca_file",
    "allow_insecure": "allow_insecure",
    "delete_after_download": "delete_after_download",
    "tracking_token_prefix": "tracking_token_prefix",
    "tracked_category": "tracked_category",
    "tag_undeliverable": "tag_undeliverable",
    "client_id": "client_id",
    "tenant": "tenant",
    "issuer": "issuer",
    "authority_host": "authority_host",
}


def _credentials_on(args: argparse.Namespace, kind: ProfileKind) -> CredentialsOn | None:
    """--impersonation is the Exchange way of saying --credentials-on profile: one service account."""
    if not args.impersonation:
        return CredentialsOn(args.credentials_on) if args.credentials_on else None
    if kind is not ProfileKind.EXCHANGE:
        raise ValidationError({"impersonation": "only Exchange profiles impersonate mailboxes"})
    if args.credentials_on == CredentialsOn.MAILBOX.value:
        raise ValidationError({"impersonation": "a service account impersonates: not with --credentials-on mailbox"})
    return CredentialsOn.PROFILE


def _given(args: argparse.Namespace, kind: ProfileKind) -> dict[str, Any]:
    """The ProfileInput fields the command line sets explicitly (they win over a preset and the stored values)."""
    given: dict[str, Any] = {field: getattr(args, flag) for flag, field in PLAIN_FLAGS.items()}
    given = {field: value for field, value in given.items() if value is not None}
    for field in ("ca_file", "ews_url", "login", "issuer", "tenant", "authority_host", "client_id"):
        if given.get(field) == "":
            given[field] = None  # '' clears it
    if args.incoming_security is not None:
        given["incoming_security"] = Security(args.incoming_security)
    if args.outgoing_security is not None:
        given["outgoing_security"] = Security(args.outgoing_security)
    if args.auth is not None:
        given["auth"] = AuthMethod(AUTH_ALIASES.get(args.auth, args.auth))
    if args.oauth_provider is not None:
        given["oauth_provider"] = OAuthProvider(args.oauth_provider)
    if args.scopes is not None:
        given["scopes"] = split_scopes(args.scopes)
    credentials_on = _credentials_on(args, kind)
    if credentials_on is not None:
        given["credentials_on"] = credentials_on
    return given


def split_scopes(values: Sequence[str]) -> tuple[str, ...]:
    """``--scopes A B`` or ``--scopes "A B"`` (as OAuth writes them, space-separated); '' for the defaults."""
    return tuple(dict.fromkeys(scope for value in values for scope in value.split()))


def _edited(base: ProfileInput, args: argparse.Namespace) -> ProfileInput:
    """``base`` with the preset (if any) and then the flags given applied."""
    given = _given(args, base.kind)
    changes: dict[str, Any] = preset_fields(Preset(args.preset), base.kind) if args.preset else {}
    changes |= given
    auth = changes.get("auth", base.auth)
    if auth is not AuthMethod.OAUTH2:  # leaving OAuth: its settings go with it, unless typed again
        changes |= {field: changes.get(field, () if field == "scopes" else None) for field in OAUTH_FIELDS}
    for direction in ("incoming", "outgoing"):
        # a new security without a port: the new security's well-known port, not the old one's
        security = changes.get(f"{direction}_security")
        old_port = getattr(base, f"{direction}_port")
        if security is not None and f"{direction}_port" not in changes and old_port is not None:
            old_security = getattr(base, f"{direction}_security")
            side = Direction.INCOMING if direction == "incoming" else Direction.OUTGOING
            if old_port == default_port(base.kind, side, old_security):
                changes[f"{direction}_port"] = None
    return dataclasses.replace(base, **changes)


def _describe(profile: Profile) -> str:
    out = profile.outgoing
    return (
        f"{profile.name!r} ({profile.kind.value}): incoming "
        f"{profile.incoming.host}:{profile.incoming.port} {profile.incoming.security.value}"
        + (f", outgoing {out.host}:{out.port} {out.security.value}" if out else "")
        + (f", EWS {profile.ews_url}" if profile.ews_url else "")
        + (f", OAuth 2.0 at {profile.oauth.provider.value}" if profile.oauth else "")
    )


def _next_step(profile: Profile) -> str | None:
    if profile.oauth is None:
        return None
    if profile.credentials_on is CredentialsOn.PROFILE:
        return (
            f"Next: desktop-sync profile sign-in {shlex.quote(profile.name)} "
            "(--client-secret-stdin or --client-certificate PEM)."
        )
    return "Next: add its mailboxes, then sign each in: desktop-sync mailbox sign-in EMAIL."


async def profile_add(ctx: Context, args: argparse.Namespace) -> int:
    kind = ProfileKind(args.kind)
    password = read_password(ctx.stdin) if args.password_stdin else None
    data = _edited(ProfileInput(name=args.name, kind=kind), args)
    profile = await ctx.profiles().add(data, password)
    ctx.print(f"Added profile {_describe(profile)}")
    if (step := _next_step(profile)) is not None:
        ctx.print(step)
    return EXIT_OK


async def profile_update(ctx: Context, args: argparse.Namespace) -> int:
    profiles = ctx.profiles()
    current = await profiles.get(args.name)
    password = read_password(ctx.stdin) if args.password_stdin else None
    data = _edited(profile_input(current), args)
    if args.rename is not None:
        data = dataclasses.replace(data, name=args.rename)
    profile = await profiles.update(current.name, data, password)
    ctx.print(f"Updated profile {_describe(profile)}")
    if current.oauth != profile.oauth and (step := _next_step(profile)) is not None:
        ctx.print(step)
    return EXIT_OK


async def profile_show(ctx: Context, args: argparse.Namespace) -> int:
    profile = await ctx.profiles().get(args.name)
    state = await ctx.signin().profile_state(profile.name) if profile.oauth else None
    data = profile_json(profile) | {"sign_in": sign_in_json(state)}
    if args.json:
        ctx.print_json(data)
        return EXIT_OK
    ctx.print(f"Profile {_describe(profile)}")
    width = max(len(key) for key in data)
    for key, value in data.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                ctx.print(f"  {key + '.' + inner:<{width + 16}} {_shown(inner_value)}")
        else:
            ctx.print(f"  {key:<{width + 16}} {_shown(value)}")
    return EXIT_OK


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value) or "-"
    return str(value)


async def profile_list(ctx: Context, args: argparse.Namespace) -> int:
    profiles = await ctx.profiles().list()
    if args.json:
        ctx.print_json([profile_json(p) for p in profiles])
        return EXIT_OK
    if not profiles:
        ctx.print("No profiles. Add one with: desktop-sync profile add NAME --kind imap --incoming-host HOST")
        return EXIT_OK
    rows = [("NAME", "KIND", "INCOMING", "OUTGOING", "MAX CONN", "TIMEOUT")]
    for p in profiles:
        incoming = f"{p.incoming.host}:{p.incoming.port} {p.incoming.security.value}"
        outgoing = f"{p.outgoing.host}:{p.outgoing.port} {p.outgoing.security.value}" if p.outgoing else "-"
        if p.kind is ProfileKind.EXCHANGE:
            outgoing = "EWS"
        elif p.kind is ProfileKind.EXCHANGE_ONLINE:
            outgoing = "Graph"
        rows.append((p.name, p.kind.value, incoming, outgoing, str(p.max_connections), f"{p.timeout_seconds}s"))
    print_table(ctx, rows)
    return EXIT_OK


async def profile_delete(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.profiles().delete(args.name)
    ctx.print(f"Deleted profile {args.name!r}.")
    return EXIT_OK


def _profile_flags(parser: argparse.ArgumentParser) -> None:
    """The flags ``profile add`` and ``profile update`` share; none has a default, so that what is not
    typed comes from the preset, the stored profile or the domain's defaults."""
    security = [s.value for s in Security]
    on_off = argparse.BooleanOptionalAction
    parser.add_argument(
        "--preset",
        choices=[p.value for p in Preset],
        help="fill hosts, ports, security and OAuth 2.0 for Microsoft 365 or Google Workspace / Gmail "
        "(flags typed besides win)",
    )
    parser.add_argument("--incoming-host", metavar="HOST")
    parser.add_argument("--incoming-port", metavar="N", type=int)
    parser.add_argument("--incoming-security", choices=security, help="default tls")
    parser.add_argument("--outgoing-host", metavar="HOST")
    parser.add_argument("--outgoing-port", metavar="N", type=int)
    parser.add_argument("--outgoing-security", choices=security, help="default tls")
    parser.add_argument("--ews-url", metavar="URL")
    parser.add_argument(
        "--auth",
        choices=AUTH_CHOICES,
        help="password (the same as basic; the default), ntlm (Exchange on premises), oauth (OAuth 2.0)",
    )
    parser.add_argument("--oauth-provider", choices=[p.value for p in OAuthProvider], help="OAuth 2.0: who signs in")
    parser.add_argument("--client-id", metavar="ID", help="OAuth 2.0: the application (client) id registered there")
    parser.add_argument("--tenant", metavar="TENANT", help="Microsoft: the tenant id or domain (default organizations)")
    parser.add_argument("--issuer", metavar="URL", help="OpenID Connect: the provider's issuer URL")
    parser.add_argument(
        "--scopes", metavar="SCOPE", nargs="+", help="OAuth 2.0: the scopes to ask for (default: the provider's)"
    )
    parser.add_argument(
        "--authority-host",
        metavar="URL",
        help="Microsoft: another cloud's sign-in host (default login.microsoftonline.com)",
    )
    parser.add_argument(
        "--credentials-on",
        choices=[c.value for c in CredentialsOn],
        help="one service account on the profile, or credentials on each mailbox (default)",
    )
    parser.add_argument(
        "--impersonation",
        action="store_true",
        help="Exchange: a service account (--login) impersonates each mailbox (same as --credentials-on profile)",
    )
    parser.add_argument("--login", metavar="NAME", help="the service account, with --credentials-on profile")
    parser.add_argument("--password-stdin", action="store_true", help="read the service account's password")
    parser.add_argument("--max-connections", metavar="N", type=int, help="parallel connections, 1-300 (default 10)")
    parser.add_argument("--timeout", metavar="SECONDS", type=int, help="per request, 1-100 (default 60)")
    parser.add_argument("--min-poll", metavar="SECONDS", type=int, help="minimum polling interval (default 60)")
    parser.add_argument("--process-email-from", metavar="DATE", type=iso_date)
    parser.add_argument("--ca-file", metavar="PEM", help="trust this CA instead of the system's (mail and sign-in)")
    parser.add_argument("--allow-insecure", action=on_off, help="allow security 'none' (clear text)")
    parser.add_argument("--delete-after-download", action=on_off, help="POP3: delete mail once stored")
    parser.add_argument("--tracking-token-prefix", metavar="TEXT", help="default CRM:")
    parser.add_argument(
        "--tracked-category",
        metavar="TEXT",
        help=f"Exchange: the category written on tracked items (default {TRACKED_CATEGORY_DEFAULT!r}; '' for none)",
    )
    parser.add_argument(
        "--tag-undeliverable",
        action=on_off,
        help=f"Exchange: write the {UNDELIVERABLE_CATEGORY!r} category on items that cannot be tracked",
    )


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command

    profiles = group("profile", "email server profiles")
    add = command(profiles, "add", profile_add, "add a profile", fields={"name": "NAME"})
    add.add_argument("name", metavar="NAME")
    add.add_argument("--kind", required=True, choices=[k.value for k in ProfileKind])
    _profile_flags(add)
    update = command(
        profiles,
        "update",
        profile_update,
        "change a profile (only the flags given)",
        fields={"profile": "NAME", "name": "--rename"},
    )
    update.add_argument("name", metavar="NAME")
    update.add_argument("--rename", metavar="NEW", help="a new name (a service account's secret follows it)")
    _profile_flags(update)
    lst = command(profiles, "list", profile_list, "list profiles")
    lst.add_argument("--json", action="store_true")
    show = command(profiles, "show", profile_show, "show a profile and its sign-in", fields={"profile": "NAME"})
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true")
    delete = command(
        profiles,
        "delete",
        profile_delete,
        "delete a profile no mailbox uses",
        fields={"name": "NAME", "profile": "NAME"},
    )
    delete.add_argument("name", metavar="NAME")
    signin.register_profile_sign_in(cli, profiles)
