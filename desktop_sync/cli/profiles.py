"""``desktop-sync profile ...``: email server profiles."""

from __future__ import annotations

import argparse

from desktop_sync.cli.arguments import iso_date, read_password
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import print_table, profile_json
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import (
    TRACKED_CATEGORY_DEFAULT,
    UNDELIVERABLE_CATEGORY,
    AuthMethod,
    CredentialsOn,
    ProfileKind,
    Security,
)
from desktop_sync.domain.validation import ProfileInput

AUTH_ALIASES = {"oauth": AuthMethod.OAUTH2.value}


def _credentials_on(args: argparse.Namespace) -> CredentialsOn:
    """--impersonation is the Exchange way of saying --credentials-on profile: one service account."""
    if not args.impersonation:
        return CredentialsOn(args.credentials_on or CredentialsOn.MAILBOX.value)
    if args.kind != ProfileKind.EXCHANGE.value:
        raise ValidationError({"impersonation": "only Exchange profiles impersonate mailboxes"})
    if args.credentials_on == CredentialsOn.MAILBOX.value:
        raise ValidationError({"impersonation": "a service account impersonates: not with --credentials-on mailbox"})
    return CredentialsOn.PROFILE


async def profile_add(ctx: Context, args: argparse.Namespace) -> int:
    credentials_on = _credentials_on(args)
    password = read_password(ctx.stdin) if args.password_stdin else None
    data = ProfileInput(
        name=args.name,
        kind=ProfileKind(args.kind),
        incoming_host=args.incoming_host,
        incoming_port=args.incoming_port,
        incoming_security=Security(args.incoming_security),
        outgoing_host=args.outgoing_host,
        outgoing_port=args.outgoing_port,
        outgoing_security=Security(args.outgoing_security),
        ews_url=args.ews_url,
        auth=AuthMethod(AUTH_ALIASES.get(args.auth, args.auth)),
        credentials_on=credentials_on,
        login=args.login,
        max_connections=args.max_connections,
        timeout_seconds=args.timeout,
        min_poll_seconds=args.min_poll,
        process_email_from=args.process_email_from,
        ca_file=args.ca_file,
        allow_insecure=args.allow_insecure,
        delete_after_download=args.delete_after_download,
        tracking_token_prefix=args.tracking_token_prefix,
        tracked_category=args.tracked_category,
        tag_undeliverable=args.tag_undeliverable,
    )
    profile = await ctx.profiles().add(data, password)
    out = profile.outgoing
    ctx.print(
        f"Added profile {profile.name!r} ({profile.kind.value}): incoming "
        f"{profile.incoming.host}:{profile.incoming.port} {profile.incoming.security.value}"
        + (f", outgoing {out.host}:{out.port} {out.security.value}" if out else "")
        + (f", EWS {profile.ews_url}" if profile.ews_url else "")
    )
    return EXIT_OK


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


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    security = [s.value for s in Security]

    profiles = group("profile", "email server profiles")
    add = command(profiles, "add", profile_add, "add a profile", fields={"name": "NAME"})
    add.add_argument("name", metavar="NAME")
    add.add_argument("--kind", required=True, choices=[k.value for k in ProfileKind])
    add.add_argument("--incoming-host", metavar="HOST")
    add.add_argument("--incoming-port", metavar="N", type=int)
    add.add_argument("--incoming-security", choices=security, default="tls")
    add.add_argument("--outgoing-host", metavar="HOST")
    add.add_argument("--outgoing-port", metavar="N", type=int)
    add.add_argument("--outgoing-security", choices=security, default="tls")
    add.add_argument("--ews-url", metavar="URL")
    add.add_argument(
        "--auth",
        choices=["basic", "ntlm", "oauth", *[a.value for a in AuthMethod if a.value not in ("basic", "ntlm")]],
        default="basic",
        help="basic (default), ntlm (Exchange on premises), oauth (OAuth 2 client credentials, Exchange Online)",
    )
    add.add_argument(
        "--credentials-on",
        choices=[c.value for c in CredentialsOn],
        help="one service account on the profile, or credentials on each mailbox (default)",
    )
    add.add_argument(
        "--impersonation",
        action="store_true",
        help="Exchange: a service account (--login) impersonates each mailbox (same as --credentials-on profile)",
    )
    add.add_argument("--login", metavar="NAME", help="the service account, with --credentials-on profile")
    add.add_argument("--password-stdin", action="store_true", help="read the service account's password")
    add.add_argument("--max-connections", metavar="N", type=int, help="parallel connections, 1-300 (default 10)")
    add.add_argument("--timeout", metavar="SECONDS", type=int, help="per request, 1-100 (default 60)")
    add.add_argument("--min-poll", metavar="SECONDS", type=int, help="minimum polling interval (default 60)")
    add.add_argument("--process-email-from", metavar="DATE", type=iso_date)
    add.add_argument("--ca-file", metavar="PEM", help="trust this CA instead of the system's")
    add.add_argument("--allow-insecure", action="store_true", help="allow security 'none' (clear text)")
    add.add_argument("--delete-after-download", action="store_true", help="POP3: delete mail once stored")
    add.add_argument("--tracking-token-prefix", metavar="TEXT", default="CRM:")
    add.add_argument(
        "--tracked-category",
        metavar="TEXT",
        default=TRACKED_CATEGORY_DEFAULT,
        help=f"Exchange: the category written on tracked items (default {TRACKED_CATEGORY_DEFAULT!r}; '' for none)",
    )
    add.add_argument(
        "--tag-undeliverable",
        action="store_true",
        help=f"Exchange: write the {UNDELIVERABLE_CATEGORY!r} category on items that cannot be tracked",
    )
    lst = command(profiles, "list", profile_list, "list profiles")
    lst.add_argument("--json", action="store_true")
    delete = command(
        profiles,
        "delete",
        profile_delete,
        "delete a profile no mailbox uses",
        fields={"name": "NAME", "profile": "NAME"},
    )
    delete.add_argument("name", metavar="NAME")
