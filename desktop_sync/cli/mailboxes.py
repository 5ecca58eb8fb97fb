"""``desktop-sync mailbox ...``: mailboxes, their state, Test & Enable and their tracked folders."""

from __future__ import annotations

import argparse

from desktop_sync.cli import signin
from desktop_sync.cli.arguments import iso_date, read_password
from desktop_sync.cli.context import EXIT_OK, EXIT_REMAP_NEEDED, EXIT_TEST_FAILED, Commands, Context
from desktop_sync.cli.output import local_time, mailbox_json, print_table, report_json, state_text, status_json
from desktop_sync.domain.folders import parse_regarding
from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import MailboxId, SyncStatus
from desktop_sync.services.mailboxes import Mapped, RemapNeeded, Unchanged
from desktop_sync.services.monitoring import StatusView


def _remap_needed(ctx: Context, answer: RemapNeeded, how: str) -> int:
    ctx.print(answer.prompt)
    ctx.print(f"Nothing was changed. To remap, run it again with --yes: {how}")
    return EXIT_REMAP_NEEDED


async def mailbox_add(ctx: Context, args: argparse.Namespace) -> int:
    password = read_password(ctx.stdin) if args.password_stdin else None
    result = await ctx.mailboxes().add(
        args.email,
        args.profile,
        user_email=args.user,
        queue_email=args.queue,
        name=args.name or "",
        login=args.login,
        password=password,
        process_email_from=args.process_email_from,
        confirm_remap=args.yes,
    )
    if isinstance(result, RemapNeeded):
        return _remap_needed(ctx, result, f"desktop-sync mailbox add {args.email} ... --yes")
    owner = f" for {args.user or args.queue}" if (args.user or args.queue) else " (no owner yet)"
    ctx.print(f"Added mailbox {result.mailbox.address} on profile {args.profile!r}{owner}; pending approval.")
    if result.unmapped_mailbox:
        ctx.print(f"{result.unmapped_mailbox} is no longer mapped to {args.user}; its synchronization stopped.")
    return EXIT_OK


async def mailbox_map(ctx: Context, args: argparse.Namespace) -> int:
    result = await ctx.mailboxes().map_to_user(args.email, args.user, confirm=args.yes)
    if isinstance(result, RemapNeeded):
        return _remap_needed(ctx, result, f"desktop-sync mailbox map {args.email} --user {args.user} --yes")
    if isinstance(result, Unchanged):
        ctx.print(f"{result.mailbox.address} is already mapped to {args.user}; nothing changed.")
        return EXIT_OK
    assert isinstance(result, Mapped)
    if result.previous_owner is not None:
        ctx.print(
            f"Remapped {result.mailbox.address} from {result.previous_owner.label} to {args.user}; "
            "its synchronization stopped until Test & Enable."
        )
    else:
        ctx.print(f"Mapped {result.mailbox.address} to {args.user}.")
    if result.unmapped_mailbox:
        ctx.print(f"{result.unmapped_mailbox} is no longer mapped to {args.user}; its synchronization stopped.")
    return EXIT_OK


async def mailbox_approve(ctx: Context, args: argparse.Namespace) -> int:
    mailbox = await ctx.mailboxes().approve(args.email)
    ctx.print(f"Approved {mailbox.address}. Next: Test & Enable.")
    return EXIT_OK


async def mailbox_delete(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.mailboxes().delete(args.email)
    ctx.print(f"Deleted mailbox {args.email}; its tracked email stays in the CRM.")
    return EXIT_OK


async def mailbox_set_password(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.mailboxes().set_password(args.email, read_password(ctx.stdin))
    ctx.print(f"Stored the password of {args.email} in the system keyring.")
    return EXIT_OK


async def mailbox_list(ctx: Context, args: argparse.Namespace) -> int:
    views = await ctx.mailboxes().list()
    known = {v.mailbox.id: v for v in await ctx.monitoring().statuses()}
    # a mailbox added between the two reads has no status yet: the engine has not seen it
    statuses = [
        known.get(v.mailbox.id) or StatusView(v.mailbox, SyncStatus(MailboxId(v.mailbox.id or 0))) for v in views
    ]
    if args.json:
        ctx.print_json([mailbox_json(v) | status_json(s) for v, s in zip(views, statuses, strict=True)])
        return EXIT_OK
    if not views:
        ctx.print("No mailboxes. Add one with: desktop-sync mailbox add EMAIL --profile NAME --user EMAIL")
        return EXIT_OK

    rows = [("ADDRESS", "PROFILE", "OWNER", "STATE", "LAST SYNC", "NEXT SYNC", "LAST ERROR")]
    for v, status in zip(views, statuses, strict=True):
        m = v.mailbox
        shown = status.shown
        waits = shown.state.healthy or shown.state is DisplayState.BACKING_OFF
        error = " ".join((shown.error or "").split())
        rows.append(
            (
                m.address,
                v.profile.name,
                v.owner.email if v.owner else "-",
                state_text(shown),
                local_time(shown.last_sync_at),
                local_time(shown.next_sync_at or shown.backoff_until) if waits else "-",
                (error[:57] + "...") if len(error) > 60 else (error or "-"),
            )
        )
    print_table(ctx, rows)
    return EXIT_OK


async def mailbox_test_enable(ctx: Context, args: argparse.Namespace) -> int:
    control = await ctx.sync_control()
    (outcome,) = await control.test_and_enable([args.email])
    if outcome.error is not None:
        raise outcome.error
    report = outcome.report
    assert report is not None
    if args.json:
        ctx.print_json(report_json(report))
    else:
        ctx.print(f"Test & Enable of {report.address}:")
        for c in report.channels:
            line = f"  {c.channel.value:<9} {c.status.value:<8} {'enabled' if c.enabled else 'not enabled'}"
            if c.failed_step:
                line += f"  failed at {c.failed_step}: {c.detail}"
            elif c.detail:
                line += f"  ({c.detail})"
            ctx.print(line)
        if not report.approved:
            ctx.print("The mailbox is not approved: approve it, then run Test & Enable again to enable it.")
    return EXIT_OK if report.ok else EXIT_TEST_FAILED


async def mailbox_folders(ctx: Context, args: argparse.Namespace) -> int:
    views = await ctx.folders().server_folders(args.email)
    if args.json:
        ctx.print_json(
            [
                {
                    "name": v.folder.name,
                    "id": v.folder.id,
                    "special_use": v.folder.special_use,
                    "trackable": v.trackable,
                    "tracked": v.tracked is not None,
                    "regarding": f"{v.tracked.regarding[0].value}:{v.tracked.regarding[1]}"
                    if v.tracked and v.tracked.regarding
                    else None,
                }
                for v in views
            ]
        )
        return EXIT_OK
    for v in views:
        marks = []
        if v.tracked is not None:
            marks.append("tracked")
            if v.tracked.regarding:
                marks.append(f"regarding {v.tracked.regarding[0].value}:{v.tracked.regarding[1]}")
        elif v.trackable:
            marks.append("can be tracked")
        if v.folder.special_use:
            marks.append(v.folder.special_use)
        ctx.print(f"{v.folder.name}" + (f"  ({', '.join(marks)})" if marks else ""))
    return EXIT_OK


async def mailbox_track_folder(ctx: Context, args: argparse.Namespace) -> int:
    folder = await ctx.folders().track(args.email, args.folder, parse_regarding(args.regarding))
    regarding = f", regarding {folder.regarding[0].value}:{folder.regarding[1]}" if folder.regarding else ""
    ctx.print(f"Mail in {folder.folder_name} of {args.email} is tracked from the next cycle{regarding}.")
    return EXIT_OK


async def mailbox_untrack_folder(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.folders().untrack(args.email, args.folder)
    ctx.print(f"{args.folder} of {args.email} is no longer tracked.")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    mailboxes = group("mailbox", "mailboxes")
    add = command(
        mailboxes,
        "add",
        mailbox_add,
        "add a mailbox",
        fields={"address": "EMAIL", "password_stdin": "--password-stdin"},
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--profile", metavar="NAME", required=True)
    owner = add.add_mutually_exclusive_group()
    owner.add_argument("--user", metavar="EMAIL")
    owner.add_argument("--queue", metavar="EMAIL")
    add.add_argument("--name", metavar="TEXT")
    add.add_argument("--login", metavar="NAME")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--process-email-from", metavar="DATE", type=iso_date)
    add.add_argument("--yes", action="store_true", help="confirm taking the user away from their mailbox")
    remap = command(mailboxes, "map", mailbox_map, "map a mailbox to a user", fields={"address": "EMAIL"})
    remap.add_argument("email", metavar="EMAIL")
    remap.add_argument("--user", metavar="EMAIL", required=True)
    remap.add_argument("--yes", action="store_true", help="confirm breaking the current mapping")
    approve = command(mailboxes, "approve", mailbox_approve, "approve a mailbox's address", fields={"address": "EMAIL"})
    approve.add_argument("email", metavar="EMAIL")
    delete = command(
        mailboxes,
        "delete",
        mailbox_delete,
        "stop synchronizing a mailbox and forget it (its tracked email stays)",
        fields={"address": "EMAIL"},
    )
    delete.add_argument("email", metavar="EMAIL")
    password = command(
        mailboxes,
        "set-password",
        mailbox_set_password,
        "store a mailbox's password (read from standard input) in the keyring",
        fields={"address": "EMAIL", "password_stdin": "standard input"},
    )
    password.add_argument("email", metavar="EMAIL")
    lst = command(mailboxes, "list", mailbox_list, "list mailboxes")
    lst.add_argument("--json", action="store_true")
    test = command(
        mailboxes,
        "test-enable",
        mailbox_test_enable,
        "test each channel of a mailbox and enable those that pass",
        fields={"address": "EMAIL"},
    )
    test.add_argument("email", metavar="EMAIL")
    test.add_argument("--json", action="store_true")

    folders = command(
        mailboxes, "folders", mailbox_folders, "list the mailbox's folders on the server", fields={"address": "EMAIL"}
    )
    folders.add_argument("email", metavar="EMAIL")
    folders.add_argument("--json", action="store_true")
    track = command(
        mailboxes,
        "track-folder",
        mailbox_track_folder,
        "track the mail of a folder under the Inbox (at most 25)",
        fields={"address": "EMAIL", "folder": "FOLDER", "regarding": "--regarding"},
    )
    track.add_argument("email", metavar="EMAIL")
    track.add_argument("folder", metavar="FOLDER")
    track.add_argument("--regarding", metavar="KIND:ID", help="link its mail to an account, contact or lead")
    untrack = command(
        mailboxes,
        "untrack-folder",
        mailbox_untrack_folder,
        "stop tracking a folder",
        fields={"address": "EMAIL", "folder": "FOLDER"},
    )
    untrack.add_argument("email", metavar="EMAIL")
    untrack.add_argument("folder", metavar="FOLDER")
    signin.register_mailbox_sign_in(cli, mailboxes)
