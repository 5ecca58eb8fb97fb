"""``desktop-sync user ...`` and ``desktop-sync queue ...``: the CRM's users and queues."""

from __future__ import annotations

import argparse

from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import print_table
from desktop_sync.domain.model import TrackingChoice


async def user_add(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.directory().add_user(args.email, args.name, args.crm_id)
    ctx.print(f"Added user {user.name} <{user.email}>" + (f" (CRM id {user.crm_id})" if user.crm_id else ""))
    return EXIT_OK


async def user_list(ctx: Context, args: argparse.Namespace) -> int:
    users = await ctx.directory().users()
    if args.json:
        ctx.print_json(
            [{"email": u.email, "name": u.name, "crm_id": u.crm_id, "tracking": u.tracking.value} for u in users]
        )
        return EXIT_OK
    if not users:
        ctx.print("No users. Add one with: desktop-sync user add EMAIL --name NAME")
        return EXIT_OK
    print_table(ctx, [("EMAIL", "NAME", "CRM ID")] + [(u.email, u.name, u.crm_id or "-") for u in users])
    return EXIT_OK


async def user_set(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.directory().set_user_options(
        args.email,
        tracking=TrackingChoice(args.tracking) if args.tracking else None,
        auto_create_contacts=args.auto_create_contacts,
    )
    ctx.print(
        f"{user.email} tracks {_TRACKING_TEXT[user.tracking]}; "
        f"contacts for unknown senders {'on' if user.auto_create_contacts else 'off'}."
    )
    return EXIT_OK


async def user_tracking(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.directory().set_user_options(args.email, tracking=TrackingChoice(args.choice))
    ctx.print(f"{user.email} tracks {_TRACKING_TEXT[user.tracking]}.")
    return EXIT_OK


_TRACKING_TEXT = {
    TrackingChoice.ALL: "all incoming mail",
    TrackingChoice.REPLIES: "replies to tracked mail",
    TrackingChoice.KNOWN_SENDERS: "mail from known contacts, accounts and leads",
    TrackingChoice.NONE: "no mail",
}


async def queue_add(ctx: Context, args: argparse.Namespace) -> int:
    queue = await ctx.directory().add_queue(args.email, args.name, args.crm_id)
    ctx.print(f"Added queue {queue.name} <{queue.email}>" + (f" (CRM id {queue.crm_id})" if queue.crm_id else ""))
    return EXIT_OK


async def queue_list(ctx: Context, args: argparse.Namespace) -> int:
    queues = await ctx.directory().queues()
    if args.json:
        ctx.print_json([{"email": q.email, "name": q.name, "crm_id": q.crm_id} for q in queues])
        return EXIT_OK
    if not queues:
        ctx.print("No queues. Add one with: desktop-sync queue add EMAIL --name NAME")
        return EXIT_OK
    print_table(ctx, [("EMAIL", "NAME", "CRM ID")] + [(q.email, q.name, q.crm_id or "-") for q in queues])
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    users = group("user", "CRM users")
    add = command(users, "add", user_add, "add a user", fields={"email": "EMAIL", "name": "--name"})
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", required=True)
    add.add_argument("--crm-id", metavar="GUID", help="the user's id in the CRM")
    lst = command(users, "list", user_list, "list users")
    lst.add_argument("--json", action="store_true")

    options = command(users, "set", user_set, "set a user's email options", fields={"email": "EMAIL"})
    options.add_argument("email", metavar="EMAIL")
    options.add_argument(
        "--tracking",
        choices=[t.value for t in TrackingChoice],
        help="which incoming mail is tracked (default for new users: replies)",
    )
    contacts = options.add_mutually_exclusive_group()
    contacts.add_argument(
        "--auto-create-contacts",
        dest="auto_create_contacts",
        action="store_true",
        default=None,
        help="create a contact for an unknown sender of tracked mail",
    )
    contacts.add_argument("--no-auto-create-contacts", dest="auto_create_contacts", action="store_false")

    tracking = command(
        users, "tracking", user_tracking, "which incoming mail a user's mailbox tracks", fields={"email": "EMAIL"}
    )
    tracking.add_argument("email", metavar="EMAIL")
    tracking.add_argument(
        "choice",
        choices=[t.value for t in TrackingChoice],
        help="all; replies (to tracked mail, the default); known (from contacts, accounts, leads); none",
    )

    queues = group("queue", "CRM queues (shared mailboxes)")
    add = command(queues, "add", queue_add, "add a queue", fields={"email": "EMAIL", "name": "--name"})
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", required=True)
    add.add_argument("--crm-id", metavar="GUID", help="the queue's id in the CRM")
    lst = command(queues, "list", queue_list, "list queues")
    lst.add_argument("--json", action="store_true")
