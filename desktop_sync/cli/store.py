"""``desktop-sync init``: create the store (or bring its schema up to date)."""

from __future__ import annotations

import argparse

from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.config import local_settings, store_location
from desktop_sync.store import store_file


async def store_init(ctx: Context, args: argparse.Namespace) -> int:
    path = store_file(store_location(ctx.db, local_settings()))
    existed = path is None or path.exists()
    label = ctx.store.label  # opening creates it and brings its schema to the newest revision
    ctx.print(f"Store ready: {label} ({'existing store, schema up to date' if existed else 'created'}).")
    return EXIT_OK


def register(cli: Commands) -> None:
    init = cli.commands.add_parser(
        "init", help="create the store named by --db (or upgrade it when it exists)", parents=[cli.common]
    )
    init.set_defaults(handler=store_init, positional_fields={})
