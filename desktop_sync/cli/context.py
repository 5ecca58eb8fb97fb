"""What every command shares: the context (store, services, output), the exit codes, the parser's
one-line errors, the registration of sub-commands, and how errors become one line and an exit code.

Exit status: 0 done; 1 the command could not run (store or keyring unavailable, another engine
running, the identity provider unreachable); 2 bad input, nothing written; 3 a remap needs
confirmation (``--yes``), nothing written; 4 Test & Enable ran and a channel failed its test, or a
sign-in was declined, timed out or refused by the identity provider.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TextIO

from desktop_sync import logs
from desktop_sync.autostart import XdgAutostart
from desktop_sync.config import ConfigFile, local_settings, store_location, store_named_by
from desktop_sync.domain.errors import DesktopSyncError, NotFoundError, ValidationError
from desktop_sync.domain.ports import TokenIssuer
from desktop_sync.domain.ports.connectors import ConnectorFactory
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.act import ActService
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.folders import FolderService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.settings import SettingsService
from desktop_sync.services.signin import SignInService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.store import SqlStore, StoreMissing, open_store

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_REMAP_NEEDED, EXIT_TEST_FAILED = 0, 1, 2, 3, 4
EXIT_NOTHING_WAITING = 3  # act confirm: no plan waits for confirmation
EXIT_SIGNIN_REFUSED = 4  # sign-in: the person declined, the time ran out, or the provider refused
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

    def __init__(self, db: str | None, out: TextIO, stdin: TextIO, *, create: bool = False, err: TextIO | None = None):
        self.db = db
        self.out = out
        self.err = err or out  # what a person must read while a command waits, when out is JSON
        self.stdin = stdin
        self.create = create
        self.secrets = KeyringSecrets()
        self._store: SqlStore | None = None
        self._tokens: TokenIssuer | None = None

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
        return FolderService(self.store, self.connectors(), self.secrets, self.tokens())

    def act(self) -> ActService:
        return ActService(self.store)

    def monitoring(self) -> MonitoringService:
        return MonitoringService(self.store)

    async def sync_control(self) -> SyncControl:
        """Test & Enable and the ACT cycle's dry run and confirmation, as the application runs them
        while its engine is paused: with the limits every engine on this store shares."""
        settings = await self.settings().engine_settings()
        return SyncControl(
            store=self.store,
            secrets=self.secrets,
            connectors=self.connectors(),
            settings=settings,
            tokens=self.tokens(),
        )

    def tokens(self) -> TokenIssuer:
        """OAuth profiles' access tokens (grants in the keyring); msal and authlib load on first use."""
        if self._tokens is None:
            from desktop_sync.identity.broker import TokenBroker

            self._tokens = TokenBroker(self.secrets)
        return self._tokens

    def signin(self) -> SignInService:
        """Signing in with OAuth 2.0 (msal, authlib): imported when a command needs it, not at every start."""
        from desktop_sync.identity.broker import TokenBroker

        return SignInService(self.store, TokenBroker(self.secrets), self.secrets)

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


class Commands:
    """Where each noun's ``register`` adds its sub-commands: ``group`` makes ``desktop-sync NOUN``,
    ``command`` one ``desktop-sync NOUN ACTION`` run by a handler."""

    def __init__(self, commands: Any, common: Parser):
        self.commands = commands  # the top-level sub-parsers (``init`` has no action)
        self.common = common  # the options every command takes (--db)

    def group(self, name: str, help_text: str) -> Any:
        sub = self.commands.add_parser(name, help=help_text, parents=[self.common])
        return sub.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)

    def command(
        self, actions: Any, name: str, handler: Handler, help_text: str, fields: dict[str, str] | None = None
    ) -> Parser:
        """A subcommand; ``fields`` says how service field names appear in its error messages."""
        sub: Parser = actions.add_parser(name, help=help_text, parents=[self.common])
        sub.set_defaults(handler=handler, positional_fields=fields or {})
        return sub


# How a service's field names appear on the command line, when not as --field-name.
FIELD_NAMES = {
    "timeout_seconds": "--timeout",
    "min_poll_seconds": "--min-poll",
    "password": "--password-stdin",
}


def field_label(args: argparse.Namespace, field: str) -> str:
    positional = getattr(args, "positional_fields", {})
    if field in positional:
        return str(positional[field])
    return FIELD_NAMES.get(field, "--" + field.replace("_", "-"))


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    """Run the parsed command; its errors become one line on ``err`` and an exit status."""
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        print(f"{PROG}: error: give a command (see {PROG} --help)", file=err)
        return EXIT_BAD_INPUT
    ctx = Context(getattr(args, "db", None), out, stdin, create=args.command == "init", err=err)

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
        problems = "; ".join(f"{field_label(args, f)}: {m}" for f, m in exc.errors.items())
        print(f"{PROG}: error: {one_line(problems)}", file=err)
        return EXIT_BAD_INPUT
    except NotFoundError as exc:
        problem = f"{field_label(args, exc.field)}: {exc.message.split(': ', 1)[-1]}"
        print(f"{PROG}: error: {one_line(problem)}", file=err)
        return EXIT_BAD_INPUT
    except DesktopSyncError as exc:
        print(f"{PROG}: error: {one_line(exc.message)}", file=err)
        return EXIT_FAILED
