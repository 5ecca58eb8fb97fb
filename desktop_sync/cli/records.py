"""``desktop-sync contact|appointment|task ...``: the CRM's records the ACT cycle synchronizes."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from desktop_sync.cli.arguments import iso_date, percent
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import json_value, print_table
from desktop_sync.domain.act import MAPPING
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.sync_filters import SYNCED_TYPES
from desktop_sync.domain.validation import normalize_address


async def records_list(ctx: Context, args: argparse.Namespace) -> int:
    record_type = RecordType(args.record_type)
    views = await ctx.act().records(record_type, args.user)
    if args.json:
        ctx.print_json(
            [
                {
                    "id": v.id,
                    "type": record_type.value,
                    "owner": v.values.get("owner"),
                    **{k: json_value(val) for k, val in v.values.items() if k != "owner"},
                    "linked": bool(v.linked_to),
                    "linked_mailboxes": list(v.linked_to),
                }
                for v in views
            ]
        )
        return EXIT_OK
    if not views:
        ctx.print(f"No {record_type.value}s.")
        return EXIT_OK
    label = {"contact": "full_name", "appointment": "subject", "task": "subject"}[record_type.value]
    rows = [("ID", "OWNER", label.upper().replace("_", " "), "LINKED")]
    rows += [
        (str(v.id), str(v.values.get("owner") or "-"), str(v.values.get(label) or ""), ", ".join(v.linked_to) or "-")
        for v in views
    ]
    print_table(ctx, rows)
    return EXIT_OK


async def records_add(ctx: Context, args: argparse.Namespace) -> int:
    record_type = RecordType(args.record_type)
    names = {
        "contact": (
            "first_name",
            "last_name",
            "email",
            "company",
            "job_title",
            "phone",
            "mobile_phone",
            "city",
            "country",
        ),
        "appointment": ("subject", "location", "body", "organizer"),
        "task": ("subject", "body", "status", "priority", "percent_complete"),
    }[record_type.value]
    values: dict[str, Any] = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if record_type is RecordType.APPOINTMENT:
        values["starts_at"] = args.start
        values["ends_at"] = args.end or (args.start + dt.timedelta(hours=1) if args.start else None)
        values["all_day"] = args.all_day
        if args.attendee:
            values["attendees"] = tuple(normalize_address(a, "attendee") for a in args.attendee)
        if args.organizer:
            values["organizer"] = normalize_address(args.organizer, "organizer")
    if record_type is RecordType.TASK:
        if args.due:
            values["due_at"] = args.due
        if args.start:
            values["starts_at"] = args.start
    if record_type is RecordType.CONTACT and args.email:
        values["email"] = normalize_address(args.email, "email")
    view = await ctx.act().add(record_type, args.user, values)
    ctx.print(f"Added {record_type.value} {view.id} for {args.user}.")
    return EXIT_OK


async def records_delete(ctx: Context, args: argparse.Namespace) -> int:
    record_type = RecordType(args.record_type)
    title = await ctx.act().delete(record_type, args.id)
    ctx.print(
        f"Deleted {record_type.value} {args.id}" + (f" ({title})" if title else "") + "; the next cycle deletes "
        "its Exchange item where the deletion rules allow."
    )
    return EXIT_OK


async def records_set(ctx: Context, args: argparse.Namespace) -> int:
    record_type = RecordType(args.record_type)
    view = await ctx.act().set(record_type, args.id, args.assignments)
    ctx.print(f"Changed {record_type.value} {view.id} ({view.title}); the next cycle carries it to Exchange.")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    for record_type in SYNCED_TYPES:
        kind = record_type.value
        records = group(kind, f"CRM {kind}s")
        lst = command(records, "list", records_list, f"list {kind}s with their link state", fields={"user": "--user"})
        lst.set_defaults(record_type=kind)
        lst.add_argument("--user", metavar="EMAIL")
        lst.add_argument("--json", action="store_true")
        add = command(records, "add", records_add, f"add a {kind} to the CRM", fields={"user": "--user"})
        add.set_defaults(record_type=kind)
        add.add_argument("--user", metavar="EMAIL", required=True, help="the owner")
        if record_type is RecordType.CONTACT:
            for flag in (
                "first-name",
                "last-name",
                "email",
                "company",
                "job-title",
                "phone",
                "mobile-phone",
                "city",
                "country",
            ):
                add.add_argument(f"--{flag}")
        elif record_type is RecordType.APPOINTMENT:
            add.add_argument("--subject", required=True)
            add.add_argument("--start", type=iso_date, required=True, metavar="DATETIME")
            add.add_argument("--end", type=iso_date, metavar="DATETIME")
            add.add_argument("--all-day", action="store_true")
            add.add_argument("--location")
            add.add_argument("--body")
            add.add_argument("--organizer", metavar="EMAIL")
            add.add_argument("--attendee", metavar="EMAIL", action="append")
        else:
            add.add_argument("--subject", required=True)
            add.add_argument("--due", type=iso_date, metavar="DATETIME")
            add.add_argument("--start", type=iso_date, metavar="DATETIME")
            add.add_argument("--status", choices=["not_started", "in_progress", "completed", "waiting", "deferred"])
            add.add_argument("--priority", choices=["low", "normal", "high"])
            add.add_argument("--percent-complete", metavar="N", type=percent, help="0-100")
            add.add_argument("--body")

        delete = command(
            records,
            "delete",
            records_delete,
            f"delete a {kind} from the CRM (the next cycle deletes its Exchange item where the rules allow)",
            fields={"id": "ID"},
        )
        delete.set_defaults(record_type=kind)
        delete.add_argument("id", metavar="ID", type=int)
        names = [m.crm for m in MAPPING[record_type]]
        change = command(
            records,
            "set",
            records_set,
            f"change fields of a {kind} (an empty VALUE clears one)",
            fields={"id": "ID", **{n: n for n in names}},
        )
        change.set_defaults(record_type=kind)
        change.add_argument("id", metavar="ID", type=int)
        change.add_argument("assignments", metavar="FIELD=VALUE", nargs="+", help="fields: " + ", ".join(names))
