"""``desktop-sync act confirm`` and ``desktop-sync conflicts ...``: what the ACT cycle holds or could not decide."""

from __future__ import annotations

import argparse

from desktop_sync.cli.arguments import record_id
from desktop_sync.cli.context import EXIT_FAILED, EXIT_NOTHING_WAITING, EXIT_OK, Commands, Context
from desktop_sync.cli.output import action_counts, json_value
from desktop_sync.domain.act import ConflictPolicy, describe_counts
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.sync_filters import SYNCED_TYPES
from desktop_sync.services.sync_control import stop_why


async def act_confirm(ctx: Context, args: argparse.Namespace) -> int:
    mailbox = await ctx.mailboxes().get(args.email)
    types = [RecordType(args.type)] if args.type else None
    control = await ctx.sync_control()
    _, report = await control.confirm_report(mailbox.address, types)
    if report is None:
        which = f"{args.type}s of " if args.type else ""
        ctx.print(f"Nothing waits for confirmation for the {which}{mailbox.address}.")
        return EXIT_NOTHING_WAITING
    if report.error or report.skipped:
        ctx.print(f"{mailbox.address}: {report.error or report.skipped}; nothing was applied.")
        return EXIT_FAILED
    applied = 0
    for t in report.types:
        kind = t.record_type.value + "s"
        if t.held is not None:
            ctx.print(
                f"{kind}: the plan changed since it was held and was not run; it waits again: "
                f"{describe_counts(t.held.counts)} ({stop_why(t.held.reason)}). Check it "
                f"(sync now {mailbox.address} --dry-run), then confirm again."
            )
            continue
        applied += 1
        counts = action_counts(t.actions)
        failed = f"; {len(t.failed)} failed (see: desktop-sync failed list)" if t.failed else ""
        ctx.print(f"{kind}: applied once: {describe_counts(counts) or 'nothing left to do'}{failed}.")
    return EXIT_OK if applied else EXIT_NOTHING_WAITING


async def conflicts_list(ctx: Context, args: argparse.Namespace) -> int:
    conflicts = await ctx.act().conflicts(include_resolved=args.all)
    if args.json:
        ctx.print_json([{k: json_value(v) for k, v in c.items()} for c in conflicts])
        return EXIT_OK
    if not conflicts:
        ctx.print("No conflicts.")
        return EXIT_OK
    for v in await ctx.act().conflict_views(include_resolved=args.all):  # the record by its title, not its id
        record = f'"{v.record}"' if v.record else "(a deleted record)"
        ctx.print(
            f"#{v.id} {v.record_type.value} {record} field {v.field}: CRM {v.crm_value!r}, "
            f"Exchange {v.exchange_value!r}; kept {v.kept.value}"
        )
    return EXIT_OK


async def conflicts_resolve(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.act().resolve(args.id, ConflictPolicy(args.resolution))
    ctx.print(f"Conflict {args.id} resolved ({args.resolution}); the next cycle carries it to the other side.")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    act = group("act", "appointments, contacts and tasks: plans the safety stop holds")
    confirm = command(
        act,
        "confirm",
        act_confirm,
        "run once the plan the safety stop holds for a mailbox (see: sync now EMAIL --dry-run)",
        fields={"address": "EMAIL", "id": "EMAIL"},
    )
    confirm.add_argument("email", metavar="EMAIL")
    confirm.add_argument("--type", choices=[t.value for t in SYNCED_TYPES], help="only this record type")

    conflicts = group("conflicts", "fields both sides changed since the last sync")
    lst = command(conflicts, "list", conflicts_list, "list open conflicts")
    lst.add_argument("--all", action="store_true", help="include resolved ones")
    lst.add_argument("--json", action="store_true")
    resolve = command(conflicts, "resolve", conflicts_resolve, "resolve a conflict", fields={"id": "ID"})
    resolve.add_argument("id", metavar="ID", type=record_id)
    resolve.add_argument(
        "resolution",
        choices=[p.value for p in ConflictPolicy],
        help="crm: keep the CRM's value; exchange: keep Exchange's; both: keep both (a copy)",
    )
