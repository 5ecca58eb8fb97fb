"""``desktop-sync email ...`` and ``desktop-sync outgoing ...``: email activities and the outgoing queue."""

from __future__ import annotations

import argparse
import mimetypes
from pathlib import Path

from desktop_sync.cli.arguments import count, record_id
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import activity_json, outgoing_json, print_table
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import ActivityStatus, Direction, OutgoingAttachment


async def email_list(ctx: Context, args: argparse.Namespace) -> int:
    items = await ctx.activities().activities(
        direction=Direction(args.direction) if args.direction else None,
        mailbox=args.mailbox,
        search=args.search,
        limit=args.limit,
    )
    if args.json:
        ctx.print_json([activity_json(a) for a in items])
        return EXIT_OK
    if not items:
        ctx.print("No email activities.")
        return EXIT_OK
    rows = [("ID", "DIR", "STATUS", "MAILBOX", "FROM", "SUBJECT", "WHY")]
    for a in items:
        sender = next((p.address for p in a.parties if p.role.value == "from"), "")
        rows.append(
            (
                str(a.id),
                a.direction.value[:3],
                a.status.value,
                a.mailbox or "-",
                sender,
                a.subject[:40],
                a.tracked_reason or "",
            )
        )
    print_table(ctx, rows)
    return EXIT_OK


def _read_attachment(path: str) -> OutgoingAttachment:
    file = Path(path).expanduser()
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise ValidationError.single("attach", f"{path}: {exc.strerror}") from exc
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return OutgoingAttachment(file.name, content_type, content)


async def email_send(ctx: Context, args: argparse.Namespace) -> int:
    body = args.body
    if args.body_file:
        try:
            body = Path(args.body_file).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError.single("body_file", f"{args.body_file}: {exc.strerror}") from exc
    attachments = [_read_attachment(path) for path in args.attach]
    email = await ctx.activities().send_email(
        args.sender,
        args.to,
        args.subject,
        body_text=body or "",
        cc=args.cc or (),
        bcc=args.bcc or (),
        attachments=attachments,
        tracking_token=not args.no_tracking_token,
    )
    if args.json:
        ctx.print_json(outgoing_json(email))
    else:
        ctx.print(f"Queued email {email.id} {email.message_id} ({email.subject!r}); the engine sends it.")
    return EXIT_OK


async def outgoing_list(ctx: Context, args: argparse.Namespace) -> int:
    statuses = [ActivityStatus(s) for s in args.status] if args.status else None
    emails = await ctx.activities().outgoing(statuses)
    if args.json:
        ctx.print_json([outgoing_json(e) for e in emails])
        return EXIT_OK
    if not emails:
        ctx.print("No outgoing email.")
        return EXIT_OK
    rows = [("ID", "FROM", "TO", "STATUS", "SUBJECT")]
    rows += [(str(e.id), e.sender, ", ".join(e.recipients), e.status.value, e.subject[:50]) for e in emails]
    print_table(ctx, rows)
    return EXIT_OK


async def outgoing_resend(ctx: Context, args: argparse.Namespace) -> int:
    email = await ctx.activities().resend(args.id)
    ctx.print(f"Email {email.id} is queued to be sent again.")
    return EXIT_OK


async def outgoing_mark_sent(ctx: Context, args: argparse.Namespace) -> int:
    email = await ctx.activities().mark_sent(args.id)
    ctx.print(f"Email {email.id} is marked sent.")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    email = group("email", "email activities: tracked mail, and mail written in the CRM")
    lst = command(email, "list", email_list, "list email activities, newest first", fields={"mailbox": "--mailbox"})
    lst.add_argument("--mailbox", metavar="EMAIL")
    lst.add_argument("--direction", choices=[d.value for d in Direction])
    lst.add_argument("--search", metavar="TEXT", help="in subjects and addresses")
    lst.add_argument("--limit", metavar="N", type=count, default=200)
    lst.add_argument("--json", action="store_true")
    send = command(
        email,
        "send",
        email_send,
        "queue an email for the sender's mailbox to send",
        fields={"from": "--from", "to": "--to"},
    )
    send.add_argument("--from", dest="sender", metavar="EMAIL", required=True, help="the sending mailbox")
    send.add_argument("--to", metavar="EMAIL", action="append", default=[])
    send.add_argument("--cc", metavar="EMAIL", action="append")
    send.add_argument("--bcc", metavar="EMAIL", action="append")
    send.add_argument("--subject", required=True)
    body = send.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="TEXT")
    body.add_argument("--body-file", metavar="PATH")
    send.add_argument("--attach", metavar="FILE", action="append", default=[], help="attach a file (repeatable)")
    send.add_argument("--no-tracking-token", action="store_true", help="leave the subject without a token")
    send.add_argument("--json", action="store_true")

    outgoing = group("outgoing", "the outgoing queue")
    lst = command(outgoing, "list", outgoing_list, "list outgoing email, newest first")
    lst.add_argument("--status", action="append", choices=[s.value for s in ActivityStatus])
    lst.add_argument("--json", action="store_true")
    resend = command(
        outgoing, "resend", outgoing_resend, "send again a failed or delivery-unknown email", fields={"id": "ID"}
    )
    resend.add_argument("id", metavar="ID", type=record_id)
    mark = command(
        outgoing, "mark-sent", outgoing_mark_sent, "record a delivery-unknown email as sent", fields={"id": "ID"}
    )
    mark.add_argument("id", metavar="ID", type=record_id)
