"""``desktop-sync filter ...``: users' sync filters for appointments, contacts and tasks."""

from __future__ import annotations

import argparse

from desktop_sync.cli.arguments import record_id
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import filter_json
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.sync_filters import SYNCED_TYPES, Match, parse_rule


async def filter_add(ctx: Context, args: argparse.Namespace) -> int:
    if not args.rule:
        raise ValidationError.single("rule", "give at least one --rule 'FIELD OP VALUE'")
    view = await ctx.sync_filters().add(
        args.user,
        RecordType(args.type),
        args.name,
        Match(args.match),
        [parse_rule(r) for r in args.rule],
        active=not args.inactive,
    )
    ctx.print(
        f"Added {view.sync_filter.record_type.value} filter {view.sync_filter.id} "
        f"{view.sync_filter.name!r} for {view.user.email}."
    )
    return EXIT_OK


async def filter_list(ctx: Context, args: argparse.Namespace) -> int:
    views = await ctx.sync_filters().list(args.user, RecordType(args.type) if args.type else None)
    if args.json:
        ctx.print_json([filter_json(v) for v in views])
        return EXIT_OK
    if not views:
        ctx.print("No sync filters: no appointment, contact or task goes from the CRM to Exchange.")
        return EXIT_OK
    for v in views:
        f = v.sync_filter
        joiner = " AND " if f.group.match is Match.ALL else " OR "
        state = "active" if f.active else "inactive"
        ctx.print(
            f"#{f.id} {v.user.email} {f.record_type.value} {f.name!r} ({state}): "
            + joiner.join(str(r) for r in f.group.rules)
        )
    return EXIT_OK


async def filter_enable(ctx: Context, args: argparse.Namespace) -> int:
    view = await ctx.sync_filters().set_active(args.id, args.action == "enable")
    ctx.print(f"Filter {view.sync_filter.id} is {'active' if view.sync_filter.active else 'inactive'}.")
    return EXIT_OK


async def filter_delete(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.sync_filters().delete(args.id)
    ctx.print(f"Deleted filter {args.id}.")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    filters = group("filter", "users' sync filters for appointments, contacts and tasks")
    add = command(filters, "add", filter_add, "add a sync filter", fields={"user": "USER", "name": "--name"})
    add.add_argument("user", metavar="USER", help="the user's email address")
    add.add_argument("--type", required=True, choices=[t.value for t in SYNCED_TYPES])
    add.add_argument("--name", required=True)
    add.add_argument(
        "--match", choices=[m.value for m in Match], default="all", help="all rules (AND, the default) or any rule (OR)"
    )
    add.add_argument(
        "--rule",
        action="append",
        metavar="'FIELD OP [VALUE]'",
        help="e.g. 'subject contains review', 'starts_at next_days 30', 'owner is_me'",
    )
    add.add_argument("--inactive", action="store_true", help="add it switched off")
    lst = command(filters, "list", filter_list, "list sync filters", fields={"user": "--user"})
    lst.add_argument("--user", metavar="EMAIL")
    lst.add_argument("--type", choices=[t.value for t in SYNCED_TYPES])
    lst.add_argument("--json", action="store_true")
    for action, handler, text in (
        ("enable", filter_enable, "switch a filter on"),
        ("disable", filter_enable, "switch a filter off"),
        ("delete", filter_delete, "delete a filter"),
    ):
        sub = command(filters, action, handler, text, fields={"id": "ID"})
        sub.add_argument("id", metavar="ID", type=record_id)
        sub.set_defaults(action=action)
