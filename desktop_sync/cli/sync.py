"""``desktop-sync sync now``: a mailbox to the head of the running engine's queue, or the dry run of
its appointments, contacts and tasks."""

from __future__ import annotations

import argparse

from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import action_counts
from desktop_sync.domain.act import describe_counts
from desktop_sync.services.sync_control import describe_action, stop_why


async def sync_dry_run(ctx: Context, args: argparse.Namespace) -> int:
    mailbox = await ctx.mailboxes().get(args.email)
    report = await (await ctx.sync_control()).dry_run_report(mailbox.address)
    held = {h.record_type: h for h in await ctx.act().held_plans(mailbox.address)}
    data = {
        "mailbox": mailbox.address,
        "dry_run": True,
        "skipped": report.skipped,
        "error": report.error,
        "counts": report.counts,
        "actions": {t.record_type.value: [describe_action(a) for a in t.actions] for t in report.types},
        "held": {
            t.record_type.value: {
                "reason": t.stop.value,
                "waiting": t.record_type in held,
                "counts": action_counts(t.actions),
                "links": t.summary.links if t.summary else 0,
            }
            for t in report.types
            if t.stop is not None
        },
    }
    if args.json:
        ctx.print_json(data)
        return EXIT_OK
    ctx.print(f"Dry run of {mailbox.address} (nothing is changed):")
    if report.skipped or report.error:
        ctx.print(f"  appointments, contacts and tasks: {report.skipped or report.error}")
    for t in report.types:
        ctx.print(
            f"  {t.record_type.value}s: " + (", ".join(f"{type(a).__name__}" for a in t.actions) or "nothing to do")
        )
        if t.stop is not None:
            ctx.print(
                f"    held by the safety stop ({stop_why(t.stop)}): {describe_counts(action_counts(t.actions))}; "
                f"run it once with: desktop-sync act confirm {mailbox.address} --type {t.record_type.value}"
            )
    return EXIT_OK


async def sync_now(ctx: Context, args: argparse.Namespace) -> int:
    if args.dry_run:
        return await sync_dry_run(ctx, args)
    mailbox = await ctx.monitoring().request_sync(args.email)
    ctx.print(f"Sync requested for {mailbox.address}; a running engine starts it within seconds.")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    sync = group("sync", "synchronization requests")
    now = command(
        sync, "now", sync_now, "put a mailbox at the head of the running engine's queue", fields={"address": "EMAIL"}
    )
    now.add_argument("email", metavar="EMAIL")
    now.add_argument(
        "--dry-run",
        action="store_true",
        help="print what a cycle would do to each side (appointments, contacts, tasks); change nothing",
    )
    now.add_argument("--json", action="store_true")
