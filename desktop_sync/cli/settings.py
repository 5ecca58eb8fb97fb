"""``desktop-sync settings ...``: engine limits (in the store) and this user's settings file."""

from __future__ import annotations

import argparse

from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import print_table
from desktop_sync.domain.settings import SPECS, Scope
from desktop_sync.domain.settings import show as show_setting


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
    print_table(ctx, rows)
    ctx.print()
    ctx.print(f"Store: {ctx.store.label}; settings file: {ctx.settings().local_location}")
    ctx.print("Engine limits apply when an engine starts (the application, or desktop-sync engine run).")
    return EXIT_OK


async def settings_set(ctx: Context, args: argparse.Namespace) -> int:
    value = await ctx.settings().set(args.key, args.value)
    ctx.print(f"{args.key} = {show_setting(value) or chr(34) * 2}")
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
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
