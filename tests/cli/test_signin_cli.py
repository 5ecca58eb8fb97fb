"""OAuth 2.0 from the shell, as README documents it: profiles from the Microsoft 365 and Google presets,
``mailbox sign-in`` through a real browser command (``$BROWSER``, a script playing the person against
the project's OAuth provider) and the device code, ``profile sign-in`` for a service account; every
exit code (0 signed in, 4 declined / timed out / refused, 2 bad input, 1 provider down), and never a
secret in what is printed."""

from __future__ import annotations

import asyncio
import stat
import sys
import threading
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MemoryKeyring
from oauth.provider import APP_SCOPES, OAuthProvider
from support.certificates import make_certificate
from support.cli_runner import Cli, Result
from support.waiting import eventually

APP = "desktop-sync-cli"
SERVICE_APP = "desktop-sync-cli-service"
SERVICE_SECRET = "cli-service-secret"
ALICE = "alice@example.test"
IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
SMTP_SCOPE = "https://outlook.office.com/SMTP.Send"
TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def provider(oauth_provider: OAuthProvider) -> OAuthProvider:
    oauth_provider.add_client(APP)
    oauth_provider.add_client(SERVICE_APP, secret=SERVICE_SECRET, app_scopes=APP_SCOPES)
    oauth_provider.add_user(ALICE)
    return oauth_provider


def use_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str) -> None:
    """$BROWSER names a script that gets the sign-in URL, as a real browser command does."""
    script = tmp_path / "browser"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pathlib import Path\nsys.path.insert(0, {str(TESTS)!r})\n{body}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("BROWSER", str(script))
    webbrowser.register_standard_browsers()  # webbrowser reads $BROWSER when it registers its browsers


@pytest.fixture
def person(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tls_ca: Path) -> Iterator[None]:
    """The person at the browser, who signs in on the provider's page."""
    use_browser(
        monkeypatch,
        tmp_path,
        f"from oauth.browser import open_sign_in_page\nopen_sign_in_page(sys.argv[1], Path({str(tls_ca)!r}))",
    )
    yield
    monkeypatch.delenv("BROWSER")
    webbrowser.register_standard_browsers()


def add_m365(run: Cli, provider: OAuthProvider, tls_ca: Path, name: str = "M365", *extra: str) -> Result:
    """A Microsoft 365 IMAP profile from the preset, signing in at the test provider (by configuration only)."""
    at_the_test_provider = [
        "--tenant",
        provider.tenant,
        "--authority-host",
        provider.base_url,
        "--ca-file",
        str(tls_ca),
    ]
    preset = ["--kind", "imap", "--preset", "microsoft365", "--client-id", APP]
    return run("profile", "add", name, *preset, *at_the_test_provider, *extra)


@pytest.fixture
def mailbox(run: Cli, provider: OAuthProvider, tls_ca: Path) -> str:
    assert add_m365(run, provider, tls_ca).code == 0
    assert run("mailbox", "add", ALICE, "--profile", "M365").code == 0
    return ALICE


def test_the_microsoft_365_preset_fills_the_servers_and_the_flags_typed_win(
    run: Cli, provider: OAuthProvider, tls_ca: Path
) -> None:
    added = add_m365(run, provider, tls_ca, "M365", "--incoming-port", "1993")
    assert added.code == 0, added.err
    assert "OAuth 2.0 at microsoft" in added.out and "mailbox sign-in EMAIL" in added.out
    [profile] = run("profile", "list", "--json").json()  # type: ignore[misc]
    assert profile == profile | {
        "incoming_host": "outlook.office365.com",
        "incoming_port": 1993,
        "incoming_security": "tls",
        "outgoing_host": "smtp.office365.com",
        "outgoing_port": 587,
        "outgoing_security": "starttls",
        "auth": "oauth2",
        "credentials_on": "mailbox",
    }
    assert profile["oauth"] == {
        "provider": "microsoft",
        "client_id": APP,
        "tenant": provider.tenant,
        "issuer": None,
        "authority_host": provider.base_url,
        "scopes": [],
        "sign_in_scopes": [IMAP_SCOPE, SMTP_SCOPE],
        "sign_in": "mailbox",
    }


def test_the_google_preset_and_a_kind_it_has_not(run: Cli) -> None:
    added = run("profile", "add", "Gmail", "--kind", "pop3", "--preset", "google", "--client-id", "g-app")
    assert added.code == 0, added.err
    [profile] = run("profile", "list", "--json").json()  # type: ignore[misc]
    assert (profile["incoming_host"], profile["incoming_port"], profile["outgoing_host"]) == (
        "pop.gmail.com",
        995,
        "smtp.gmail.com",
    )
    assert (profile["outgoing_port"], profile["outgoing_security"]) == (465, "tls")
    assert profile["oauth"]["sign_in_scopes"] == ["https://mail.google.com/"]
    refused = run("profile", "add", "GEx", "--kind", "exchange", "--preset", "google", "--client-id", "g")
    assert refused.code == 2
    assert (
        refused.err == "desktop-sync: error: --preset: Google Workspace / Gmail has no preset for exchange profiles\n"
    )
    assert run("profile", "add", "X", "--kind", "imap", "--preset", "yahoo").code == 2


def test_oauth_flags_are_checked_and_password_is_basic(run: Cli) -> None:
    no_client = run("profile", "add", "A", "--kind", "imap", "--preset", "microsoft365")
    assert no_client.code == 2 and "--client-id:" in no_client.err
    oidc = run("profile", "add", "B", "--kind", "imap", "--incoming-host", "h.test", "--auth", "oauth")
    assert oidc.code == 2 and "--oauth-provider:" in oidc.err
    stray = run("profile", "add", "C", "--kind", "imap", "--incoming-host", "h.test", "--client-id", "x")
    assert stray.code == 2 and "--client-id:" in stray.err
    assert run("profile", "add", "D", "--kind", "imap", "--incoming-host", "h.test", "--auth", "password").code == 0
    [profile] = run("profile", "list", "--json").json()  # type: ignore[misc]
    assert (profile["auth"], profile["oauth"]) == ("basic", None)


def test_update_changes_only_what_is_typed(run: Cli, provider: OAuthProvider, tls_ca: Path) -> None:
    assert add_m365(run, provider, tls_ca).code == 0
    scoped = run("profile", "update", "M365", "--scopes", f"{IMAP_SCOPE} {SMTP_SCOPE}", "offline_access")
    assert scoped.code == 0, scoped.err
    shown = run("profile", "show", "M365", "--json").json()
    assert shown["oauth"]["scopes"] == [IMAP_SCOPE, SMTP_SCOPE, "offline_access"]  # type: ignore[index]
    assert shown["outgoing_port"] == 587 and shown["sign_in"] == {"signed_in": None, "needs_sign_in": False}  # type: ignore[index]
    secured = run("profile", "update", "M365", "--outgoing-security", "tls")
    assert secured.code == 0 and run("profile", "show", "M365", "--json").json()["outgoing_port"] == 465  # type: ignore[index]
    to_password = run("profile", "update", "M365", "--auth", "password", "--rename", "Corp")
    assert to_password.code == 0, to_password.err
    corp = run("profile", "show", "Corp", "--json").json()
    assert (corp["auth"], corp["oauth"], corp["sign_in"], corp["incoming_host"]) == (  # type: ignore[index]
        "basic",
        None,
        None,
        "outlook.office365.com",
    )
    assert (
        run("profile", "update", "Nope", "--timeout", "5").err == "desktop-sync: error: NAME: no profile named 'Nope'\n"
    )
    bad = run("profile", "update", "Corp", "--incoming-port", "0")
    assert bad.code == 2 and "--incoming-port:" in bad.err
    assert "Profile 'Corp' (imap)" in run("profile", "show", "Corp").out


def test_a_mailbox_signs_in_through_the_browser(
    run: Cli, mailbox: str, person: None, memory_keyring: MemoryKeyring
) -> None:
    signed = run("mailbox", "sign-in", ALICE, "--timeout", "30")
    assert signed.code == 0, signed.err
    lines = signed.out.splitlines()
    assert lines[0] == f"Opening your browser to sign {ALICE} in. If it does not open, go to:"
    assert lines[1].startswith("https://127.0.0.1:") and "code_challenge=" in lines[1]
    assert f"Signed in {ALICE} as {ALICE}; granted: " in signed.out and IMAP_SCOPE in signed.out
    assert "Sync asked for 1 mailbox: alice@example.test." in signed.out
    grant = memory_keyring.passwords[("desktop-sync", f"oauth-grant:mailbox:{ALICE}")]
    assert grant not in signed.out


def test_sign_in_json_keys(run: Cli, mailbox: str, person: None) -> None:
    signed = run("mailbox", "sign-in", ALICE, "--json")
    assert signed.code == 0, signed.err
    data = signed.json()
    assert set(data) == {"account", "scopes", "expires_at", "mailboxes", "alerts_cleared"}  # type: ignore[arg-type]
    assert data["account"] == ALICE and data["mailboxes"] == [ALICE]  # type: ignore[index]
    assert "Waiting for the sign-in" in signed.err  # the person's instructions stay out of the JSON


def test_declined_or_timed_out_is_exit_4(
    run: Cli, mailbox: str, provider: OAuthProvider, person: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    provider.decline()
    declined = run("mailbox", "sign-in", ALICE, "--timeout", "30")
    assert declined.code == 4 and declined.err.startswith("desktop-sync: sign-in refused: ")
    use_browser(monkeypatch, tmp_path, "pass  # a browser nobody looks at")
    waited = run("mailbox", "sign-in", ALICE, "--timeout", "0.5")
    assert waited.code == 4 and "cancelled or took too long" in waited.err


def test_bad_arguments_are_exit_2(run: Cli, mailbox: str) -> None:
    assert run("mailbox", "sign-in", ALICE, "--timeout", "0").code == 2
    unknown = run("mailbox", "sign-in", "nobody@example.test")
    assert unknown.code == 2 and unknown.err == "desktop-sync: error: EMAIL: no mailbox nobody@example.test\n"
    assert run("profile", "sign-in", "M365").code == 2  # neither a secret nor a certificate
    delegated = run("profile", "sign-in", "M365", "--client-secret-stdin", stdin="x\n")
    assert delegated.code == 2 and "signs each mailbox in on its own" in delegated.err


def test_a_provider_that_is_down_is_exit_1(run: Cli, mailbox: str, provider: OAuthProvider) -> None:
    provider.down = True
    down = run("mailbox", "sign-in", ALICE, "--device-code", "--timeout", "5")
    assert down.code == 1 and "could not be reached" in down.err


def test_the_device_code(run: Cli, mailbox: str, provider: OAuthProvider) -> None:
    answer: list[Result] = []
    command = threading.Thread(target=lambda: answer.append(run("mailbox", "sign-in", ALICE, "--device-code")))
    command.start()

    async def code_asked() -> bool:
        return bool(provider.state.device_codes)

    asyncio.run(eventually(code_asked, what="the device code"))
    [device] = provider.state.device_codes.values()
    provider.approve_device(device.user_code, ALICE)
    command.join(timeout=60)
    [signed] = answer
    assert signed.code == 0, signed.err
    assert f"enter the code {device.user_code}" in signed.out and f"as {ALICE}" in signed.out


@pytest.fixture
def service(run: Cli, provider: OAuthProvider, tls_ca: Path) -> str:
    added = add_m365(run, provider, tls_ca, "Service", "--client-id", SERVICE_APP, "--credentials-on", "profile")
    assert added.code == 0, added.err
    assert "profile sign-in Service" in added.out
    for address in ("a@example.test", "b@example.test"):
        assert run("mailbox", "add", address, "--profile", "Service").code == 0
    return "Service"


def test_a_service_account_signs_in_with_its_client_secret(
    run: Cli, service: str, memory_keyring: MemoryKeyring
) -> None:
    wrong = run("profile", "sign-in", "Service", "--client-secret-stdin", stdin="wrong\n")
    assert wrong.code == 4 and ("desktop-sync", "profile:Service") not in memory_keyring.passwords
    empty = run("profile", "sign-in", "Service", "--client-secret-stdin", stdin="\n")
    assert (
        empty.code == 2
        and empty.err == "desktop-sync: error: --client-secret-stdin: no client secret on standard input\n"
    )
    signed = run("profile", "sign-in", "Service", "--client-secret-stdin", "--json", stdin=SERVICE_SECRET + "\n")
    assert signed.code == 0, signed.err
    assert signed.json()["mailboxes"] == ["a@example.test", "b@example.test"]  # type: ignore[index]
    assert memory_keyring.passwords[("desktop-sync", "profile:Service")] == SERVICE_SECRET
    shown = run("profile", "show", "Service", "--json")
    assert shown.json()["sign_in"] == {"signed_in": True, "needs_sign_in": False}  # type: ignore[index]
    assert shown.json()["oauth"]["sign_in_scopes"] == ["https://outlook.office365.com/.default"]  # type: ignore[index]
    assert SERVICE_SECRET not in shown.out + signed.out + run("profile", "show", "Service").out


def test_a_certificate_file_that_is_not_one_is_exit_2(run: Cli, service: str, tmp_path: Path) -> None:
    missing = run("profile", "sign-in", "Service", "--client-certificate", str(tmp_path / "none.pem"))
    assert missing.code == 2 and "--client-certificate:" in missing.err and "no such certificate file" in missing.err
    (tmp_path / "key-only.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    key_only = run("profile", "sign-in", "Service", "--client-certificate", str(tmp_path / "key-only.pem"))
    assert key_only.code == 2 and "no certificate" in key_only.err


def test_a_service_account_signs_in_with_its_certificate(
    run: Cli, provider: OAuthProvider, tls_ca: Path, tmp_path: Path
) -> None:
    cert, key, _ = make_certificate()
    provider.add_client("cert-app", certificate=cert, app_scopes=APP_SCOPES)
    added = add_m365(run, provider, tls_ca, "Certified", "--client-id", "cert-app", "--credentials-on", "profile")
    assert added.code == 0, added.err
    pem = tmp_path / "app.pem"
    pem.write_text(key + cert)
    signed = run("profile", "sign-in", "Certified", "--client-certificate", str(pem))
    assert signed.code == 0, signed.err
    assert "Signed in profile 'Certified' as cert-app" in signed.out and key.splitlines()[1] not in signed.out
