"""``desktop-sync alerts ...`` and ``desktop-sync failed ...``: the alerts and the failed-item ledger."""

from __future__ import annotations

import argparse

from desktop_sync.cli.arguments import record_id
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import counted, local_time, print_table
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.messages import name_item
from desktop_sync.domain.model import Severity


async def alerts_list(ctx: Context, args: argparse.Namespace) -> int:
    severity = Severity(args.severity) if args.severity else None
    views = await ctx.monitoring().alerts(mailbox=args.mailbox, severity=severity, include_cleared=args.all)
    if args.json:
        ctx.print_json(
            [
                {
                    "id": v.alert.id,
                    "severity": v.alert.severity.value,
                    "scope": v.alert.scope.value,
                    "code": v.alert.code,
                    "title": v.alert.title,
                    "cause": v.alert.cause,
                    "fix": v.alert.fix,
                    "facts": dict(v.alert.facts),
                    "mailbox": v.mailbox,
                    "profile": v.profile,
                    "item": v.alert.item_ref,
                    "created_at": v.alert.created_at.isoformat() if v.alert.created_at else None,
                    "cleared": v.alert.cleared,
                }
                for v in views
            ]
        )
        return EXIT_OK
    if not views:
        ctx.print("No alerts.")
        return EXIT_OK
    for v in views:
        when = v.alert.created_at.strftime("%Y-%m-%d %H:%M") if v.alert.created_at else ""
        where = v.mailbox or (f"profile {v.profile}" if v.profile else "")
        ctx.print(f"#{v.alert.id} {when} {v.alert.severity.value.upper()} {where}: {v.alert.title}")
        ctx.print(f"    {v.alert.cause}")
        if v.alert.fix:
            ctx.print(f"    Fix: {v.alert.fix}")
    return EXIT_OK


async def alerts_clear(ctx: Context, args: argparse.Namespace) -> int:
    cleared = await ctx.monitoring().clear_alerts(args.ids)
    already = len(set(args.ids)) - cleared
    were = f" {already} {'was' if already == 1 else 'were'} already cleared." if already else ""
    ctx.print(f"Cleared {counted(cleared, 'alert')}.{were}")
    return EXIT_OK


async def failed_list(ctx: Context, args: argparse.Namespace) -> int:
    views = await ctx.monitoring().failed_items(mailbox=args.mailbox, include_resolved=args.all)
    if args.json:
        ctx.print_json(
            [
                {
                    "id": v.item.id,
                    "mailbox": v.mailbox,
                    "channel": v.item.channel.value,
                    "item": v.item.item_ref,
                    "subject": v.item.subject,
                    "sender": v.item.sender,
                    "date": v.item.item_date.isoformat() if v.item.item_date else None,
                    "folder": v.item.folder,
                    "code": v.item.code,
                    "reason": v.item.reason,
                    "permanent": v.item.permanent,
                    "attempts": v.item.attempts,
                    "last_failed_at": v.item.last_failed_at.isoformat() if v.item.last_failed_at else None,
                    "next_retry_at": v.item.next_retry_at.isoformat() if v.item.next_retry_at else None,
                    "resolved": v.item.resolved,
                }
                for v in views
            ]
        )
        return EXIT_OK
    if not views:
        ctx.print("No failed items.")
        return EXIT_OK
    # named by subject, sender and date (``--json`` has the server reference, ``item``, for support)
    rows = [("ID", "MAILBOX", "ITEM", "FROM", "DATE", "CODE", "ATTEMPTS", "REASON")]
    rows += [
        (
            str(v.item.id),
            v.mailbox,
            (
                v.item.subject
                or ("(no subject)" if v.item.sender or v.item.item_date else name_item(None, folder=v.item.folder))
            )[:60],
            (v.item.sender or "-")[:40],
            local_time(v.item.item_date),
            v.item.code,
            str(v.item.attempts),
            v.item.reason[:60],
        )
        for v in views
    ]
    print_table(ctx, rows)
    return EXIT_OK


async def failed_retry(ctx: Context, args: argparse.Namespace) -> int:
    if not args.ids and not args.all and not args.mailbox:
        raise ValidationError.single("id", "give failed item ids, --mailbox EMAIL or --all")
    count = await ctx.monitoring().retry_failed(args.ids or None, mailbox=args.mailbox)
    ctx.print(f"{counted(count, 'failed item')} will be retried in their mailbox's next cycle (requested now).")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    alerts = group("alerts", "alerts raised by the engine")
    lst = command(alerts, "list", alerts_list, "list open alerts, newest first")
    lst.add_argument("--mailbox", metavar="EMAIL")
    lst.add_argument("--severity", choices=[s.value for s in Severity])
    lst.add_argument("--all", action="store_true", help="include cleared alerts")
    lst.add_argument("--json", action="store_true")
    clear = command(alerts, "clear", alerts_clear, "clear alerts by id", fields={"id": "ID"})
    clear.add_argument("ids", metavar="ID", type=record_id, nargs="+")

    failed = group("failed", "the failed-item ledger")
    lst = command(failed, "list", failed_list, "list items that could not be synchronized")
    lst.add_argument("--mailbox", metavar="EMAIL")
    lst.add_argument("--all", action="store_true", help="include resolved items")
    lst.add_argument("--json", action="store_true")
    retry = command(
        failed, "retry", failed_retry, "retry failed items in their mailbox's next cycle", fields={"id": "ID"}
    )
    retry.add_argument("ids", metavar="ID", type=record_id, nargs="*")
    retry.add_argument("--mailbox", metavar="EMAIL")
    retry.add_argument("--all", action="store_true", help="every open failed item")
