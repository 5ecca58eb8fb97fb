"""``desktop-sync mailbox sign-in`` and ``desktop-sync profile sign-in``: OAuth 2.0 from the shell.

A mailbox's person signs in through the system browser (Python's ``webbrowser``, which honours
``$BROWSER``) with the answer coming back to a loopback address, or with a device code typed on any
other device. A service account's application proves its client secret (read from standard input) or
its certificate (a PEM file) by getting its own token. Exit 0 when signed in, 4 when the person
declined, the time ran out or the provider refused; 2 for bad input; 1 when the provider cannot be
reached. What a person must read while the command waits goes to standard error when ``--json``
keeps standard output for the result.
"""

from __future__ import annotations

import argparse
import threading
import webbrowser
from typing import Any, TextIO

from desktop_sync.cli.arguments import seconds
from desktop_sync.cli.context import EXIT_OK, EXIT_SIGNIN_REFUSED, PROG, Commands, Context, one_line
from desktop_sync.cli.output import local_time, sign_in_result_json
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.signin import SignInRefused
from desktop_sync.services.signin import DEFAULT_TIMEOUT_SECONDS, SignInResult


def _prompts(ctx: Context, args: argparse.Namespace) -> TextIO:
    return ctx.err if args.json else ctx.out


def _open_in_browser(url: str) -> None:
    # in a thread: a browser command may not return until its window closes, and the answer must be awaited
    threading.Thread(target=webbrowser.open, args=(url,), name="sign-in-browser", daemon=True).start()


def _done(ctx: Context, args: argparse.Namespace, result: SignInResult, whom: str) -> int:
    if args.json:
        ctx.print_json(sign_in_result_json(result))
        return EXIT_OK
    ctx.print(f"Signed in {whom} as {result.account}; granted: {' '.join(result.scopes) or '-'}.")
    ctx.print(f"The access token holds until {local_time(result.expires_at)}; it is renewed without you.")
    if result.mailboxes:
        shown = ", ".join(result.mailboxes[:3]) + (", …" if len(result.mailboxes) > 3 else "")
        count = "1 mailbox" if len(result.mailboxes) == 1 else f"{len(result.mailboxes)} mailboxes"
        ctx.print(f"Sync asked for {count}: {shown}.")
    return EXIT_OK


def _refused(ctx: Context, refused: SignInRefused) -> int:
    print(f"{PROG}: sign-in refused: {one_line(refused.message)}", file=ctx.err)
    return EXIT_SIGNIN_REFUSED


async def mailbox_sign_in(ctx: Context, args: argparse.Namespace) -> int:
    service = ctx.signin()
    prompts = _prompts(ctx, args)
    cancelled = threading.Event()
    timer = threading.Timer(args.timeout, cancelled.set)
    try:
        if args.device_code:
            device = await service.start_device_sign_in(args.email)
            print(
                f"To sign {device.address} in, open {device.prompt.verification_uri} on any device and enter the "
                f"code {device.prompt.user_code} (before {local_time(device.prompt.expires_at)}).",
                file=prompts,
                flush=True,
            )
            timer.start()
            result = await service.finish_device_sign_in(device, cancelled)
        else:

            def open_browser(url: str) -> None:
                print(f"Opening your browser to sign {args.email} in. If it does not open, go to:", file=prompts)
                print(url, file=prompts)
                print(f"Waiting for the sign-in in your browser (up to {args.timeout:g} s)…", file=prompts, flush=True)
                _open_in_browser(url)

            result = await service.sign_in_mailbox(args.email, open_browser=open_browser, timeout=args.timeout)
    except SignInRefused as refused:
        return _refused(ctx, refused)
    finally:
        timer.cancel()
    return _done(ctx, args, result, args.email)


def _read_secret(stdin: TextIO) -> str:
    text = stdin.read().rstrip("\r\n")
    if not text:
        raise ValidationError.single("client_secret_stdin", "no client secret on standard input")
    return text


async def profile_sign_in(ctx: Context, args: argparse.Namespace) -> int:
    service = ctx.signin()
    secret: dict[str, Any] = {}
    if args.client_secret_stdin:
        secret["client_secret"] = _read_secret(ctx.stdin)
    else:
        secret["certificate"] = await service.read_certificate(args.client_certificate)
    try:
        result = await service.sign_in_service_account(args.name, **secret)
    except SignInRefused as refused:
        return _refused(ctx, refused)
    return _done(ctx, args, result, f"profile {args.name!r}")


def register_mailbox_sign_in(cli: Commands, mailboxes: Any) -> None:
    sign_in = cli.command(
        mailboxes,
        "sign-in",
        mailbox_sign_in,
        "sign a mailbox in with OAuth 2.0 (browser, or a device code) and keep the grant in the keyring",
        fields={"address": "EMAIL", "profile": "EMAIL"},
    )
    sign_in.add_argument("email", metavar="EMAIL")
    sign_in.add_argument(
        "--device-code", action="store_true", help="show a code to type on another device instead of a browser"
    )
    sign_in.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"how long to wait for the person (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    sign_in.add_argument("--json", action="store_true")


def register_profile_sign_in(cli: Commands, profiles: Any) -> None:
    sign_in = cli.command(
        profiles,
        "sign-in",
        profile_sign_in,
        "prove and keep a service account's client secret or certificate (OAuth 2.0 client credentials)",
        fields={"name": "NAME", "profile": "NAME", "client_secret": "--client-secret-stdin"},
    )
    sign_in.add_argument("name", metavar="NAME")
    how = sign_in.add_mutually_exclusive_group(required=True)
    how.add_argument("--client-secret-stdin", action="store_true", help="read the client secret from standard input")
    how.add_argument("--client-certificate", metavar="PEM", help="a PEM file with the certificate and its private key")
    sign_in.add_argument("--json", action="store_true")
