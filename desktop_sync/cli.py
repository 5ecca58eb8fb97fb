"""The admin command line: the same services as the GUI, for scripting and headless hosts.

Exit status: 0 done; 1 the command could not run (store or keyring unavailable, another engine
running); 2 bad input, nothing written; 3 a remap needs confirmation (``--yes``), nothing written;
4 Test & Enable ran and a channel failed its test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import errno
import json
import logging
import math
import mimetypes
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from desktop_sync import __version__, logs
from desktop_sync.autostart import XdgAutostart
from desktop_sync.cli_migrate import add_migrate_commands
from desktop_sync.config import ConfigFile, local_settings, store_location, store_named_by
from desktop_sync.domain.act import MAPPING, ConflictPolicy, describe_counts
from desktop_sync.domain.connectors import ConnectorFactory
from desktop_sync.domain.errors import DesktopSyncError, NotFoundError, ValidationError
from desktop_sync.domain.folders import parse_regarding
from desktop_sync.domain.mailbox_state import DisplayState, StateFacts
from desktop_sync.domain.messages import name_item
from desktop_sync.domain.model import (
    TRACKED_CATEGORY_DEFAULT,
    UNDELIVERABLE_CATEGORY,
    ActivityStatus,
    AuthMethod,
    CredentialsOn,
    Direction,
    EmailActivity,
    MailboxId,
    OutgoingAttachment,
    OutgoingEmail,
    Profile,
    ProfileKind,
    RecordType,
    Security,
    Severity,
    SyncStatus,
    TrackingChoice,
)
from desktop_sync.domain.settings import SPECS, Scope
from desktop_sync.domain.settings import show as show_setting
from desktop_sync.domain.sync_filters import SYNCED_TYPES, Match, group_to_json, parse_rule
from desktop_sync.domain.validation import ProfileInput, normalize_address
from desktop_sync.engine.act_cycle import describe as describe_action
from desktop_sync.engine.act_cycle import stop_why
from desktop_sync.engine.enablement import Enablement, EnablementReport
from desktop_sync.engine.engine import Engine
from desktop_sync.engine.throttle import Throttles
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.act import ActService
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.folders import FolderService
from desktop_sync.services.mailboxes import MailboxService, MailboxView, Mapped, RemapNeeded, Unchanged
from desktop_sync.services.monitoring import MonitoringService, StatusView
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.settings import SettingsService
from desktop_sync.services.sync_filters import FilterView, SyncFilterService
from desktop_sync.store import SqlStore, StoreMissing, open_store, store_file

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_REMAP_NEEDED, EXIT_TEST_FAILED = 0, 1, 2, 3, 4
EXIT_NOTHING_WAITING = 3  # act confirm: no plan waits for confirmation
PROG = "desktop-sync"


class UsageError(Exception):
    """Bad command-line input: reported on one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line (no usage dump) and go through our exit codes."""

    def error(self, message: str) -> NoReturn:
        # "argument --limit: ..." -> "--limit: ...": the argument as the user typed it, like every other error
        raise UsageError(one_line(message.removeprefix("argument ")))


def one_line(text: str) -> str:
    """``text`` on one line: what the user typed may hold line breaks or control characters."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class StoreNotFound(Exception):
    """An SQLite store the user named does not exist: reported on one line, exit status 2."""


class Context:
    """What a command needs: the store (opened on first use) and the services over it.

    A store the user named (``--db``, ``$DESKTOP_SYNC_DB``, the settings file's ``store``) is opened only
    if it exists; only ``init`` creates one there. The default location creates itself.
    """

    def __init__(self, db: str | None, out: TextIO, stdin: TextIO, *, create: bool = False):
        self.db = db
        self.out = out
        self.stdin = stdin
        self.create = create
        self.secrets = KeyringSecrets()
        self._store: SqlStore | None = None

    @property
    def store(self) -> SqlStore:
        if self._store is None:
            local = local_settings()
            location = store_location(self.db, local)
            named_by = store_named_by(self.db, local)
            try:
                self._store = open_store(location, create=self.create or named_by is None)
            except StoreMissing as exc:
                again = f"{PROG} --db {shlex.quote(self.db)} init" if self.db else f"{PROG} init"
                raise StoreNotFound(f"{named_by}: no store at {exc.path} (to create one there: {again})") from exc
        return self._store

    def settings(self) -> SettingsService:
        return SettingsService(self.store, ConfigFile(), XdgAutostart())

    def profiles(self) -> ProfileService:
        return ProfileService(self.store, self.secrets)

    def directory(self) -> DirectoryService:
        return DirectoryService(self.store)

    def mailboxes(self) -> MailboxService:
        return MailboxService(self.store, self.secrets)

    def activities(self) -> ActivityService:
        return ActivityService(self.store)

    def sync_filters(self) -> SyncFilterService:
        return SyncFilterService(self.store)

    def folders(self) -> FolderService:
        return FolderService(self.store, self.connectors(), self.secrets)

    def act(self) -> ActService:
        return ActService(self.store)

    def monitoring(self) -> MonitoringService:
        return MonitoringService(self.store)

    def connectors(self) -> ConnectorFactory:
        from desktop_sync.connectors.factory import MailConnectorFactory

        return MailConnectorFactory()

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def print_json(self, data: Any) -> None:
        json.dump(data, self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")


Handler = Callable[[Context, argparse.Namespace], Awaitable[int]]

AUTH_ALIASES = {"oauth": AuthMethod.OAUTH2.value}

# How a service's field names appear on the command line, when not as --field-name.
FIELD_NAMES = {
    "timeout_seconds": "--timeout",
    "min_poll_seconds": "--min-poll",
    "password": "--password-stdin",
}


def _field_label(args: argparse.Namespace, field: str) -> str:
    positional = getattr(args, "positional_fields", {})
    if field in positional:
        return str(positional[field])
    return FIELD_NAMES.get(field, "--" + field.replace("_", "-"))


# --- argument types -------------------------------------------------------------------------------


def _date(text: str) -> dt.datetime:
    """An ISO date or date-time; without a zone it is UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date like 2026-01-31") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _whole_number(text: str, not_a_number: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {not_a_number}") from None


def _count(text: str) -> int:
    """A number of things: a whole number, 1 or more."""
    value = _whole_number(text, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a count (1 or more)")
    return value


def _record_id(text: str) -> int:
    """An id as ``list`` shows it: a whole number, 1 or more."""
    value = _whole_number(text, "an id (a whole number)")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not an id (ids start at 1)")
    return value


def _percent(text: str) -> int:
    value = _whole_number(text, "a whole number")
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{value} is outside 0-100")
    return value


def _seconds(text: str) -> float:
    """A duration in seconds: more than 0, finite."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not a duration (more than 0 seconds)")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 1-65535")
    return value


def _read_password(stdin: TextIO) -> str:
    text = stdin.read()
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise ValidationError.single("password_stdin", "no password on standard input")
    return text


# --- profile --------------------------------------------------------------------------------------


def _profile_json(p: Profile) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind.value,
        "incoming_host": p.incoming.host,
        "incoming_port": p.incoming.port,
        "incoming_security": p.incoming.security.value,
        "outgoing_host": p.outgoing.host if p.outgoing else None,
        "outgoing_port": p.outgoing.port if p.outgoing else None,
        "outgoing_security": p.outgoing.security.value if p.outgoing else None,
        "ews_url": p.ews_url,
        "auth": p.auth.value,
        "credentials_on": p.credentials_on.value,
        "login": p.login,
        "max_connections": p.max_connections,
        "timeout": p.timeout_seconds,
        "min_poll": p.min_poll_seconds,
        "process_email_from": p.process_email_from.isoformat() if p.process_email_from else None,
        "ca_file": p.ca_file,
        "allow_insecure": p.allow_insecure,
        "delete_after_download": p.delete_after_download,
        "tracking_token_prefix": p.tracking_token_prefix,
        "impersonation": p.kind is ProfileKind.EXCHANGE and p.credentials_on is CredentialsOn.PROFILE,
        "tracked_category": p.tracked_category if p.kind is ProfileKind.EXCHANGE else None,
        "tag_undeliverable": p.tag_undeliverable,
    }


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
    password = _read_password(ctx.stdin) if args.password_stdin else None
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
        ctx.print_json([_profile_json(p) for p in profiles])
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
        rows.append((p.name, p.kind.value, incoming, outgoing, str(p.max_connections), f"{p.timeout_seconds}s"))
    _print_table(ctx, rows)
    return EXIT_OK


# --- users and queues -----------------------------------------------------------------------------


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
    _print_table(ctx, [("EMAIL", "NAME", "CRM ID")] + [(u.email, u.name, u.crm_id or "-") for u in users])
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
    _print_table(ctx, [("EMAIL", "NAME", "CRM ID")] + [(q.email, q.name, q.crm_id or "-") for q in queues])
    return EXIT_OK


# --- mailboxes ------------------------------------------------------------------------------------


def _remap_needed(ctx: Context, answer: RemapNeeded, how: str) -> int:
    ctx.print(answer.prompt)
    ctx.print(f"Nothing was changed. To remap, run it again with --yes: {how}")
    return EXIT_REMAP_NEEDED


async def mailbox_add(ctx: Context, args: argparse.Namespace) -> int:
    password = _read_password(ctx.stdin) if args.password_stdin else None
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


async def profile_delete(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.profiles().delete(args.name)
    ctx.print(f"Deleted profile {args.name!r}.")
    return EXIT_OK


async def mailbox_set_password(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.mailboxes().set_password(args.email, _read_password(ctx.stdin))
    ctx.print(f"Stored the password of {args.email} in the system keyring.")
    return EXIT_OK


def _status_json(view: StatusView) -> dict[str, Any]:
    """The mailbox's state as the application shows it, and what the engine last did."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    status, shown = view.status, view.shown
    progress = shown.progress
    left = progress.seconds_left if progress else None
    return {
        "state": shown.state.value,
        "engine_state": status.state.value,
        "last_sync_at": when(status.last_sync_at),
        "next_sync_at": when(shown.next_sync_at),
        "backoff_until": when(shown.backoff_until),
        "items_synced": status.items_synced,
        "last_error_code": status.last_error_code,
        "last_error": status.last_error,
        "import_done": progress.done if progress else None,
        "import_total": progress.total if progress else None,
        "import_eta_seconds": round(left) if left is not None else None,
    }


_STATE_TEXT = {
    DisplayState.NEEDS_SIGN_IN: "Needs sign-in",
    DisplayState.NEEDS_ATTENTION: "Needs attention",
    DisplayState.BACKING_OFF: "Backing off",
    DisplayState.PENDING_APPROVAL: "Pending approval",
    DisplayState.NOT_TESTED: "Not tested",
    DisplayState.DISABLED: "Disabled",
    DisplayState.IMPORTING: "Importing",
    DisplayState.SYNCING: "Syncing",
    DisplayState.IDLE: "Idle",
}


def _counted(count: int, thing: str) -> str:
    """``count`` things in words: "1 alert", "0 alerts", "2 alerts" (every noun here takes an s)."""
    return f"{count:,} {thing}" if count == 1 else f"{count:,} {thing}s"


def _local_time(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


def _state_text(shown: StateFacts) -> str:
    """The state in words, with its time: what ``mailbox list`` prints in its STATE column."""
    text = _STATE_TEXT[shown.state]
    if shown.state is DisplayState.BACKING_OFF and shown.backoff_until:
        text += f" (until {_local_time(shown.backoff_until)})"
    elif shown.state is DisplayState.IMPORTING and shown.progress is not None:
        progress = shown.progress
        facts = f"{progress.done:,} of {progress.total:,}" if progress.total else f"{progress.done:,} so far"
        if progress.seconds_left is not None:
            facts += f", {_time_left(progress.seconds_left)}"
        text += f" ({facts})"
    return text


def _time_left(seconds: float) -> str:
    """A rough time left, in the words of the Mailboxes view: "about 3 min left", "about 2 h left"."""
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    return f"about {minutes} min left" if minutes < 90 else f"about {round(minutes / 60)} h left"


def _mailbox_json(view: MailboxView) -> dict[str, Any]:
    m = view.mailbox

    def channel(state: Any) -> dict[str, Any]:
        return {
            "method": state.method.value,
            "enabled": state.enabled,
            "test_status": state.test_status.value,
            "failed_step": state.failed_step,
        }

    effective = view.effective_process_email_from
    return {
        "address": m.address,
        "name": m.name,
        "profile": view.profile.name,
        "user": view.owner.email if view.owner and view.owner.kind == "user" else None,
        "queue": view.owner.email if view.owner and view.owner.kind == "queue" else None,
        "login": m.login,
        "approval": m.approval.value,
        "incoming": channel(m.incoming),
        "outgoing": channel(m.outgoing),
        "act": channel(m.act),
        "process_email_from": m.process_email_from.isoformat() if m.process_email_from else None,
        "effective_process_email_from": effective.isoformat() if effective else None,
        "has_password": view.has_password,
    }


async def mailbox_list(ctx: Context, args: argparse.Namespace) -> int:
    views = await ctx.mailboxes().list()
    known = {v.mailbox.id: v for v in await ctx.monitoring().statuses()}
    # a mailbox added between the two reads has no status yet: the engine has not seen it
    statuses = [
        known.get(v.mailbox.id) or StatusView(v.mailbox, SyncStatus(MailboxId(v.mailbox.id or 0))) for v in views
    ]
    if args.json:
        ctx.print_json([_mailbox_json(v) | _status_json(s) for v, s in zip(views, statuses, strict=True)])
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
                _state_text(shown),
                _local_time(shown.last_sync_at),
                _local_time(shown.next_sync_at or shown.backoff_until) if waits else "-",
                (error[:57] + "...") if len(error) > 60 else (error or "-"),
            )
        )
    _print_table(ctx, rows)
    return EXIT_OK


def _report_json(report: EnablementReport) -> dict[str, Any]:
    return {
        "address": report.address,
        "approved": report.approved,
        "ok": report.ok,
        "channels": [
            {
                "channel": c.channel.value,
                "status": c.status.value,
                "enabled": c.enabled,
                "failed_step": c.failed_step,
                "error_code": c.error_code,
                "detail": c.detail,
                "steps": [
                    {
                        "step": s.step.value,
                        "ok": s.ok,
                        "detail": s.detail,
                        "error_code": s.error_code,
                        "elapsed_ms": round(s.elapsed_ms, 1),
                    }
                    for s in c.steps
                ],
            }
            for c in report.channels
        ],
    }


async def mailbox_test_enable(ctx: Context, args: argparse.Namespace) -> int:
    operation = Enablement(
        store=ctx.store,
        connectors=ctx.connectors(),
        secrets=ctx.secrets,
        throttles=Throttles(),
        clock=lambda: dt.datetime.now(dt.UTC),
    )
    report = await operation.run(args.email)
    if args.json:
        ctx.print_json(_report_json(report))
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


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value


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
                    **{k: _json_value(val) for k, val in v.values.items() if k != "owner"},
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
    _print_table(ctx, rows)
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


async def _act_cycle(ctx: Context) -> Engine:
    # the limits every engine on this store shares, the safety stop's thresholds among them
    settings = await ctx.settings().engine_settings()
    return Engine(store=ctx.store, connectors=ctx.connectors(), secrets=ctx.secrets, settings=settings)


async def act_confirm(ctx: Context, args: argparse.Namespace) -> int:
    mailbox = await ctx.mailboxes().get(args.email)
    assert mailbox.id is not None
    types = [RecordType(args.type)] if args.type else None
    engine = await _act_cycle(ctx)
    _, report = await engine.act.confirm(mailbox.id, types)
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
        counts = _counts(t.actions)
        failed = f"; {len(t.failed)} failed (see: desktop-sync failed list)" if t.failed else ""
        ctx.print(f"{kind}: applied once: {describe_counts(counts) or 'nothing left to do'}{failed}.")
    return EXIT_OK if applied else EXIT_NOTHING_WAITING


async def conflicts_list(ctx: Context, args: argparse.Namespace) -> int:
    conflicts = await ctx.act().conflicts(include_resolved=args.all)
    if args.json:
        ctx.print_json([{k: _json_value(v) for k, v in c.items()} for c in conflicts])
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


async def sync_dry_run(ctx: Context, args: argparse.Namespace) -> int:
    mailbox = await ctx.mailboxes().get(args.email)
    assert mailbox.id is not None
    engine = await _act_cycle(ctx)
    report = await engine.act.run(mailbox.id, dry_run=True)
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
                "counts": _counts(t.actions),
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
                f"    held by the safety stop ({stop_why(t.stop)}): {describe_counts(_counts(t.actions))}; "
                f"run it once with: desktop-sync act confirm {mailbox.address} --type {t.record_type.value}"
            )
    return EXIT_OK


def _counts(actions: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for action in actions:
        counts[type(action).__name__] = counts.get(type(action).__name__, 0) + 1
    return dict(sorted(counts.items()))


async def sync_now(ctx: Context, args: argparse.Namespace) -> int:
    if args.dry_run:
        return await sync_dry_run(ctx, args)
    mailbox = await ctx.monitoring().request_sync(args.email)
    ctx.print(f"Sync requested for {mailbox.address}; a running engine starts it within seconds.")
    return EXIT_OK


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
    ctx.print(f"Cleared {_counted(cleared, 'alert')}.{were}")
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
            _local_time(v.item.item_date),
            v.item.code,
            str(v.item.attempts),
            v.item.reason[:60],
        )
        for v in views
    ]
    _print_table(ctx, rows)
    return EXIT_OK


async def failed_retry(ctx: Context, args: argparse.Namespace) -> int:
    if not args.ids and not args.all and not args.mailbox:
        raise ValidationError.single("id", "give failed item ids, --mailbox EMAIL or --all")
    count = await ctx.monitoring().retry_failed(args.ids or None, mailbox=args.mailbox)
    ctx.print(f"{_counted(count, 'failed item')} will be retried in their mailbox's next cycle (requested now).")
    return EXIT_OK


def _check_port_free(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a metrics port that cannot be listened on, before the engine starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc)).lower()
            raise ValidationError.single("metrics_port", f"cannot listen on {host}:{port}: {reason}") from None


async def engine_run(ctx: Context, args: argparse.Namespace) -> int:
    if args.metrics_port is not None:
        _check_port_free(args.metrics_port)
    store = ctx.store  # a missing or unreachable store is reported before anything starts
    log_file = logs.configure(console_level=logging.INFO, level=local_settings().log_level)
    if log_file is not None:
        ctx.print(f"Logging to {log_file}")
    # the limits every engine on this store shares (desktop-sync settings set, or the Settings dialog)
    settings = await ctx.settings().engine_settings()
    engine = Engine(store=store, connectors=ctx.connectors(), secrets=ctx.secrets, settings=settings)
    try:
        await engine.start(metrics_port=args.metrics_port)
    except OSError as exc:  # the port was taken between the check and the start
        problem = f"cannot listen on 127.0.0.1:{args.metrics_port}: {(exc.strerror or str(exc)).lower()}"
        raise ValidationError.single("metrics_port", problem) from None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, engine.request_stop)
    try:
        if args.once:
            await engine.run_once()
        else:
            if args.metrics_port is not None and engine.metrics_port is not None:
                ctx.print(f"Metrics on http://127.0.0.1:{engine.metrics_port}/metrics")
            ctx.print(f"Engine running on {ctx.store.label}; Ctrl+C stops it.")
            await engine.run(duration=args.for_seconds)
    finally:
        await engine.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    values = engine.counters.flat()
    errors = sum(v for k, v in values.items() if k.startswith("desktop_sync_errors_total"))
    ctx.print(
        f"Engine stopped: {_counted(engine.cycles_run, 'mailbox cycle')}, "
        f"{_counted(int(engine.items_committed), 'item')} committed, {_counted(int(errors), 'error')} "
        "(see: desktop-sync alerts list)."
    )
    return EXIT_OK


async def store_init(ctx: Context, args: argparse.Namespace) -> int:
    path = store_file(store_location(ctx.db, local_settings()))
    existed = path is None or path.exists()
    label = ctx.store.label  # opening creates it and brings its schema to the newest revision
    ctx.print(f"Store ready: {label} ({'existing store, schema up to date' if existed else 'created'}).")
    return EXIT_OK


async def settings_show(ctx: Context, args: argparse.Namespace) -> int:
    values = await ctx.settings().values()
    if args.json:
        ctx.print_json(
            [
                {
                    "key": v.spec.key,
                    "value": v.value,
                    "default": v.spec.default,
                    "scope": v.spec.scope.value,
                    "where": v.where,
                }
                for v in values
            ]
        )
        return EXIT_OK
    rows = [["KEY", "VALUE", "DEFAULT", "KEPT IN"]]
    for v in values:
        where = "store" if v.spec.scope is Scope.STORE else "settings file"
        rows.append([v.spec.key, show_setting(v.value) or '""', show_setting(v.spec.default) or '""', where])
    _print_table(ctx, rows)
    ctx.print()
    ctx.print(f"Store: {ctx.store.label}; settings file: {ctx.settings().local_location}")
    ctx.print("Engine limits apply when an engine starts (the application, or desktop-sync engine run).")
    return EXIT_OK


async def settings_set(ctx: Context, args: argparse.Namespace) -> int:
    value = await ctx.settings().set(args.key, args.value)
    ctx.print(f"{args.key} = {show_setting(value) or chr(34) * 2}")
    return EXIT_OK


def _outgoing_json(email: OutgoingEmail) -> dict[str, Any]:
    return {
        "id": email.id,
        "from": email.sender,
        "to": list(email.to),
        "cc": list(email.cc),
        "bcc": list(email.bcc),
        "subject": email.subject,
        "message_id": email.message_id,
        "status": email.status.value,
        "step": email.send_step.value if email.send_step else None,
        "attempts": email.attempts,
    }


def _activity_json(a: EmailActivity) -> dict[str, Any]:
    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    sender = next((p.address for p in a.parties if p.role.value == "from"), None)
    recipients = [p.address for p in a.parties if p.role.value in ("to", "cc", "bcc")]
    return {
        "id": a.id,
        "direction": a.direction.value,
        "status": a.status.value,
        "subject": a.subject,
        "message_id": a.message_id,
        "mailbox": a.mailbox,
        "sender": sender,
        "recipients": recipients,
        "attachment_count": len(a.attachments),
        "sent_at": when(a.sent_at),
        "received_at": when(a.received_at),
        "tracked_reason": a.tracked_reason,
        "correlation_method": a.correlation_method,
        "correlated_activity": a.correlated_activity_id,
        "regarding": {"type": a.regarding[0].value, "id": a.regarding[1]} if a.regarding else None,
        "parties": [
            {
                "role": p.role.value,
                "address": p.address,
                "name": p.display_name,
                "record": {"type": p.record_type.value, "id": p.record_id} if p.record_type else None,
            }
            for p in a.parties
        ],
        "attachments": [
            {
                "filename": t.filename,
                "content_type": t.content_type,
                "size": t.size,
                "stored": t.stored,
                "skipped_reason": t.skipped_reason,
            }
            for t in a.attachments
        ],
    }


async def email_list(ctx: Context, args: argparse.Namespace) -> int:
    items = await ctx.activities().activities(
        direction=Direction(args.direction) if args.direction else None,
        mailbox=args.mailbox,
        search=args.search,
        limit=args.limit,
    )
    if args.json:
        ctx.print_json([_activity_json(a) for a in items])
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
    _print_table(ctx, rows)
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
        ctx.print_json(_outgoing_json(email))
    else:
        ctx.print(f"Queued email {email.id} {email.message_id} ({email.subject!r}); the engine sends it.")
    return EXIT_OK


async def outgoing_list(ctx: Context, args: argparse.Namespace) -> int:
    statuses = [ActivityStatus(s) for s in args.status] if args.status else None
    emails = await ctx.activities().outgoing(statuses)
    if args.json:
        ctx.print_json([_outgoing_json(e) for e in emails])
        return EXIT_OK
    if not emails:
        ctx.print("No outgoing email.")
        return EXIT_OK
    rows = [("ID", "FROM", "TO", "STATUS", "SUBJECT")]
    rows += [(str(e.id), e.sender, ", ".join(e.recipients), e.status.value, e.subject[:50]) for e in emails]
    _print_table(ctx, rows)
    return EXIT_OK


async def outgoing_resend(ctx: Context, args: argparse.Namespace) -> int:
    email = await ctx.activities().resend(args.id)
    ctx.print(f"Email {email.id} is queued to be sent again.")
    return EXIT_OK


async def outgoing_mark_sent(ctx: Context, args: argparse.Namespace) -> int:
    email = await ctx.activities().mark_sent(args.id)
    ctx.print(f"Email {email.id} is marked sent.")
    return EXIT_OK


def _filter_json(view: FilterView) -> dict[str, Any]:
    f = view.sync_filter
    return {
        "id": f.id,
        "user": view.user.email,
        "type": f.record_type.value,
        "name": f.name,
        "active": f.active,
        "match": f.group.match.value,
        "rules": [str(r) for r in f.group.rules],
        "definition": json.loads(group_to_json(f.group)),
    }


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
        ctx.print_json([_filter_json(v) for v in views])
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


def _print_table(ctx: Context, rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        ctx.print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


# --- the parser -----------------------------------------------------------------------------------


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the store: sqlite:///PATH or postgresql://USER@HOST/DB "
        "(default: $DESKTOP_SYNC_DB, else SQLite in the user data dir)",
    )

    parser = Parser(
        prog=PROG,
        parents=[common],
        description="Desktop Sync: run without a command for the application, "
        "or give a command to administer from the shell.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def group(name: str, help_text: str) -> Any:
        sub = commands.add_parser(name, help=help_text, parents=[common])
        return sub.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)

    def command(
        actions: Any, name: str, handler: Handler, help_text: str, fields: dict[str, str] | None = None
    ) -> Parser:
        """A subcommand; ``fields`` says how service field names appear in its error messages."""
        sub: Parser = actions.add_parser(name, help=help_text, parents=[common])
        sub.set_defaults(handler=handler, positional_fields=fields or {})
        return sub

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
    add.add_argument("--process-email-from", metavar="DATE", type=_date)
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
    add.add_argument("--process-email-from", metavar="DATE", type=_date)
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
            add.add_argument("--start", type=_date, required=True, metavar="DATETIME")
            add.add_argument("--end", type=_date, metavar="DATETIME")
            add.add_argument("--all-day", action="store_true")
            add.add_argument("--location")
            add.add_argument("--body")
            add.add_argument("--organizer", metavar="EMAIL")
            add.add_argument("--attendee", metavar="EMAIL", action="append")
        else:
            add.add_argument("--subject", required=True)
            add.add_argument("--due", type=_date, metavar="DATETIME")
            add.add_argument("--start", type=_date, metavar="DATETIME")
            add.add_argument("--status", choices=["not_started", "in_progress", "completed", "waiting", "deferred"])
            add.add_argument("--priority", choices=["low", "normal", "high"])
            add.add_argument("--percent-complete", metavar="N", type=_percent, help="0-100")
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
    resolve.add_argument("id", metavar="ID", type=_record_id)
    resolve.add_argument(
        "resolution",
        choices=[p.value for p in ConflictPolicy],
        help="crm: keep the CRM's value; exchange: keep Exchange's; both: keep both (a copy)",
    )

    alerts = group("alerts", "alerts raised by the engine")
    lst = command(alerts, "list", alerts_list, "list open alerts, newest first")
    lst.add_argument("--mailbox", metavar="EMAIL")
    lst.add_argument("--severity", choices=[s.value for s in Severity])
    lst.add_argument("--all", action="store_true", help="include cleared alerts")
    lst.add_argument("--json", action="store_true")
    clear = command(alerts, "clear", alerts_clear, "clear alerts by id", fields={"id": "ID"})
    clear.add_argument("ids", metavar="ID", type=_record_id, nargs="+")

    failed = group("failed", "the failed-item ledger")
    lst = command(failed, "list", failed_list, "list items that could not be synchronized")
    lst.add_argument("--mailbox", metavar="EMAIL")
    lst.add_argument("--all", action="store_true", help="include resolved items")
    lst.add_argument("--json", action="store_true")
    retry = command(
        failed, "retry", failed_retry, "retry failed items in their mailbox's next cycle", fields={"id": "ID"}
    )
    retry.add_argument("ids", metavar="ID", type=_record_id, nargs="*")
    retry.add_argument("--mailbox", metavar="EMAIL")
    retry.add_argument("--all", action="store_true", help="every open failed item")

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
        sub.add_argument("id", metavar="ID", type=_record_id)
        sub.set_defaults(action=action)

    email = group("email", "email activities: tracked mail, and mail written in the CRM")
    lst = command(email, "list", email_list, "list email activities, newest first", fields={"mailbox": "--mailbox"})
    lst.add_argument("--mailbox", metavar="EMAIL")
    lst.add_argument("--direction", choices=[d.value for d in Direction])
    lst.add_argument("--search", metavar="TEXT", help="in subjects and addresses")
    lst.add_argument("--limit", metavar="N", type=_count, default=200)
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
    resend.add_argument("id", metavar="ID", type=_record_id)
    mark = command(
        outgoing, "mark-sent", outgoing_mark_sent, "record a delivery-unknown email as sent", fields={"id": "ID"}
    )
    mark.add_argument("id", metavar="ID", type=_record_id)

    engine = group("engine", "the sync engine, headless")
    run_engine = command(engine, "run", engine_run, "run the engine (until interrupted, or --once / --for)")
    mode = run_engine.add_mutually_exclusive_group()
    mode.add_argument(
        "--once",
        action="store_true",
        help="one cycle of every due, enabled, approved mailbox and of the outgoing queue",
    )
    mode.add_argument(
        "--for", dest="for_seconds", metavar="SECONDS", type=_seconds, help="run this long, then stop cleanly"
    )
    run_engine.add_argument(
        "--metrics-port", metavar="N", type=_port, help="serve Prometheus metrics on 127.0.0.1:N (1-65535)"
    )
    init = commands.add_parser(
        "init", help="create the store named by --db (or upgrade it when it exists)", parents=[common]
    )
    init.set_defaults(handler=store_init, positional_fields={})

    settings = group("settings", "engine limits (in the store) and this user's settings file")
    show = command(settings, "show", settings_show, "every setting, its value, default and where it is kept")
    show.add_argument("--json", action="store_true")
    change = command(
        settings,
        "set",
        settings_set,
        "change one setting (engine limits apply at the next engine start)",
        fields={"key": "KEY", **{s.key: s.key for s in SPECS}},
    )
    change.add_argument("key", metavar="KEY", help="one of: " + ", ".join(s.key for s in SPECS))
    change.add_argument("value", metavar="VALUE")

    add_migrate_commands(commands, common, group, command)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; raises UsageError for bad input."""
    return build_parser().parse_args(list(argv))


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=err)  # already one line (Parser.error)
        return EXIT_BAD_INPUT
    return run(args, out=out, err=err, stdin=stdin or sys.stdin)


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        print(f"{PROG}: error: give a command (see {PROG} --help)", file=err)
        return EXIT_BAD_INPUT
    ctx = Context(getattr(args, "db", None), out, stdin, create=args.command == "init")

    async def go() -> int:
        try:
            return await handler(ctx, args)
        finally:
            await ctx.close()
            logs.close()

    try:
        return asyncio.run(go())
    except StoreNotFound as exc:
        print(f"{PROG}: error: {one_line(str(exc))}", file=err)
        return EXIT_BAD_INPUT
    except ValidationError as exc:
        problems = "; ".join(f"{_field_label(args, f)}: {m}" for f, m in exc.errors.items())
        print(f"{PROG}: error: {one_line(problems)}", file=err)
        return EXIT_BAD_INPUT
    except NotFoundError as exc:
        problem = f"{_field_label(args, exc.field)}: {exc.message.split(': ', 1)[-1]}"
        print(f"{PROG}: error: {one_line(problem)}", file=err)
        return EXIT_BAD_INPUT
    except DesktopSyncError as exc:
        print(f"{PROG}: error: {one_line(exc.message)}", file=err)
        return EXIT_FAILED
