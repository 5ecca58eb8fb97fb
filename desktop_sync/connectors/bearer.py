"""Signing in to a mail server with an OAuth 2.0 access token: the SASL payloads (XOAUTH2, RFC 7628
OAUTHBEARER), the mechanism chosen from what the server offers, the connection test's token step,
and one more try with a fresh token when the server refuses one (a second refusal stands)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from desktop_sync.connectors.errors import ErrorCode
from desktop_sync.connectors.transport import StepRecorder
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.ports.connectors import BearerTokens, ConnectionTestStep, step_text
from desktop_sync.domain.signin import AccessToken, SignInNeeded
from desktop_sync.logs import remember_secret

T = TypeVar("T")

XOAUTH2 = "XOAUTH2"
OAUTHBEARER = "OAUTHBEARER"
# XOAUTH2 first: Microsoft 365 offers only it, Google and Dovecot both; the standard OAUTHBEARER
# (RFC 7628) for a server that offers only that.
MECHANISMS = (XOAUTH2, OAUTHBEARER)


def xoauth2(login: str, token: str) -> bytes:
    """The XOAUTH2 initial response (Google's and Microsoft's SASL mechanism), before base64."""
    return f"user={login}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer(login: str, token: str, host: str, port: int) -> bytes:
    """The RFC 7628 OAUTHBEARER initial response, before base64 (the GS2 header names the account)."""
    authzid = login.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()


def payload(mechanism: str, login: str, token: str, host: str, port: int) -> bytes:
    return xoauth2(login, token) if mechanism == XOAUTH2 else oauthbearer(login, token, host, port)


def encoded(mechanism: str, login: str, token: str, host: str, port: int) -> str:
    return base64.b64encode(payload(mechanism, login, token, host, port)).decode("ascii")


# A client's answer to the server's error challenge: RFC 7628 asks for a single %x01, XOAUTH2 for nothing.
ERROR_ACKNOWLEDGEMENT = {OAUTHBEARER: base64.b64encode(b"\x01").decode("ascii"), XOAUTH2: ""}


def choose(offered: Iterable[str]) -> str | None:
    """The mechanism to use among those the server offers (any case), or None when it offers neither."""
    names = {name.upper() for name in offered}
    return next((mechanism for mechanism in MECHANISMS if mechanism in names), None)


def describe_token(provider: str, token: AccessToken) -> str:
    """The token step's detail: whose token, from where, for what and until when — never the token."""
    expiry = token.expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    scopes = " ".join(token.scopes) or "?"
    return step_text("token", provider=provider, account=token.account, scopes=scopes, expiry=expiry)


async def take_token(bearer: BearerTokens, steps: StepRecorder) -> AccessToken:
    """The access token to sign in with, recorded as the connection test's token step."""
    steps.begin(ConnectionTestStep.TOKEN)
    token = await bearer.token()
    remember_secret(token.token)  # masked in every log text from now on, whoever issued it
    steps.ok(describe_token(bearer.provider, token))
    return token


async def with_token(bearer: BearerTokens, steps: StepRecorder, attempt: Callable[[AccessToken], Awaitable[T]]) -> T:
    """``attempt`` (open and sign in) with the grant's token; once more with a fresh one when the
    server refuses it. A second refusal is ``SignInNeeded`` in the credentials' scope."""
    mark = len(steps.steps)
    for _ in range(2):
        del steps.steps[mark:]  # a second try's steps replace the first's (the transcript keeps both)
        token = await take_token(bearer, steps)
        try:
            return await attempt(token)
        except DesktopSyncError as problem:
            if problem.code != ErrorCode.AUTH_FAILED:
                raise
            bearer.rejected(token)
            refusal = problem
    raise SignInNeeded(
        f"the server refused the access token of {token.account} twice: {refusal.message}", scope=refusal.scope
    ) from refusal


async def signed_in(
    bearer: BearerTokens | None, steps: StepRecorder, attempt: Callable[[AccessToken | None], Awaitable[T]]
) -> T:
    """``attempt`` with the password (no bearer: ``None``), or as ``with_token`` with an OAuth profile's tokens."""
    if bearer is None:
        return await attempt(None)
    return await with_token(bearer, steps, attempt)
