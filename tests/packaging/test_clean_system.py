"""The .deb and the tarball, installed on a clean Debian 12 (debootstrap minbase) and used as an admin would.

The .deb goes in with `apt-get install ./desktop-sync_*.deb`, which must pull every library it needs
by itself; the tarball goes in with its install.sh, after the admin installed the system libraries
its README lists. Then, inside the clean system: --version and --help; a profile and a mailbox set
up with the CLI against the Dovecot of the host's loopback (the same network namespace); `engine run
--once` importing mail; and the application started offscreen and on an X server, closed cleanly.

Passwords: the clean system has no keyring, and Desktop Sync must refuse to store a password there.
Then it gets what a desktop user has, GNOME Keyring on a D-Bus session (`dbus-run-session`,
`gnome-keyring-daemon --unlock`), and the bundle's Secret Service backend must keep the password
in it across sessions.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import uuid
from pathlib import Path

import pytest
from servers.dovecot import DovecotServer, MailUser
from support.bundle import Artefacts, Display, depends
from support.chroot import CleanSystem

pytestmark = [pytest.mark.slow, pytest.mark.dovecot]

KEYRING_PACKAGES = ("gnome-keyring", "dbus-daemon", "dbus-bin")  # a desktop user's Secret Service
KEYRING_PASSWORD = "login-keyring-pw"
# Runs the rest of a script in a D-Bus session with the user's keyring unlocked, as a desktop login does.
IN_SESSION = 'eval "$(printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null\n'


def in_session(system: CleanSystem, script: str, *, ok: bool = True, timeout: float = 300) -> tuple[int, str, str]:
    result = system(
        "dbus-run-session",
        "--",
        "/bin/sh",
        "-ec",
        IN_SESSION + script,
        env={"KEYRING_PASSWORD": KEYRING_PASSWORD},
        ok=ok,
        timeout=timeout,
    )
    return result.code, result.out, result.err


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                if file.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def system_sonames(bundle: Path) -> set[str]:
    """The shared libraries the bundle's files link to directly (ELF NEEDED) that it does not carry."""
    carried = {path.name for path in bundle.rglob("*.so*")}
    needed: set[str] = set()
    for path in elf_files(bundle):
        dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
        needed.update(re.findall(r"^\s*NEEDED\s+(\S+)$", dump, re.MULTILINE))
    return needed - carried


def check_libraries(system: CleanSystem, installed: str, bundle: Path) -> None:
    """Every library of the installed bundle resolves in the clean system, and packaging/debian-depends
    names exactly the packages of the system libraries the bundle links to (plus its font)."""
    script = (
        f"cd {shlex.quote(installed)}\n"
        "find . -type f | while read -r f; do\n"
        '  if [ "$(head -c4 "$f" | tail -c3)" = ELF ]; then\n'
        '    echo "== $f"; LD_LIBRARY_PATH=$PWD/_internal ldd "$f" 2>&1 || true\n'
        "  fi\n"
        "done\n"
    )
    report = system.sh(script).out
    assert report.count("== ") >= 50, f"the ELF files of {installed} were not found:\n{report[:2000]}"
    missing = [line for line in report.splitlines() if "not found" in line]
    assert missing == [], "libraries the clean system does not have:\n" + "\n".join(missing[:40])

    packages = set()
    for soname in sorted(system_sonames(bundle)):
        owner = system("dpkg", "-S", f"*/x86_64-linux-gnu/{soname}", ok=False)
        assert owner.code == 0, f"{soname}: no package of the clean system holds it: {owner.err}"
        packages.update(line.split(":", 1)[0] for line in owner.out.splitlines())
    expected = set(depends()) - {"fonts-dejavu-core"}
    assert packages == expected, (
        "packaging/debian-depends should be exactly the packages of the system libraries the bundle links to: "
        f"missing {sorted(packages - expected)}, not needed {sorted(expected - packages)}"
    )


def order(to: str) -> tuple[str, bytes]:
    subject = f"Order {uuid.uuid4().hex[:8]} from the clean system"
    raw = (
        f"From: Carol <carol@customer.test>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@customer.test>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n\r\n"
        "Please ship it.\r\n"
    ).encode()
    return subject, raw


def administer(
    system: CleanSystem, command: str, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, xvfb: Display
) -> None:
    """What an admin does after installing: set up a mailbox with the CLI, import mail, open the window."""
    ca = system.put(tls_ca, "/root/corp-ca.pem")
    address = mail_user.address
    ds = shlex.quote(command)
    system.sh(
        f"{ds} profile add Corp --kind imap --incoming-host 127.0.0.1 --incoming-port {dovecot.ports['imaps']} "
        f"--ca-file {ca} --timeout 10\n"
        f"{ds} user add {address} --name 'Clean System'\n"
        f"{ds} user set {address} --tracking all\n"
    )

    # No keyring yet: the password is refused, with the reason, and nothing is written.
    refused = system(
        command, "mailbox", "add", address, "--profile", "Corp", "--user", address, "--login", mail_user.name,
        "--password-stdin", input=mail_user.password, ok=False,
    )  # fmt: skip
    assert refused.code == 1, (refused.out, refused.err)
    assert "no secure keyring" in refused.err and "clear text" in refused.err, refused.err
    assert "Traceback" not in refused.err
    assert json.loads(system(command, "mailbox", "list", "--json").out) == []

    system("apt-get", "install", "-y", "-q", "--no-install-recommends", *KEYRING_PACKAGES)
    in_session(
        system,
        f"printf %s {shlex.quote(mail_user.password)} | {ds} mailbox add {address} --profile Corp --user {address} "
        f"--login {mail_user.name} --password-stdin\n"
        f"{ds} mailbox approve {address}\n",
    )
    code, out, err = in_session(system, f"{ds} mailbox test-enable {address} --json\n", ok=False)
    assert code in (0, 4), (out, err)  # 4: a channel the profile does not serve (outgoing) failed its test
    [incoming] = [c for c in json.loads(out)["channels"] if c["channel"] == "incoming"]
    assert incoming["status"] == "success", incoming
    for stored in system.path("/root/.local/share/desktop-sync").iterdir():
        assert mail_user.password.encode() not in stored.read_bytes(), f"the password reached {stored.name}"

    subject, raw = order(address)
    dovecot.deliver(mail_user.name, raw)
    # A new session: the password comes back from the keyring on disk, as after a new login.
    _, out, _ = in_session(system, f"{ds} engine run --once\n{ds} email list --direction incoming --json\n")
    imported = json.loads(out[out.index("[") :])
    assert [activity["subject"] for activity in imported] == [subject], out

    # The application: offscreen, then a real window on an X server; each quits cleanly on its own.
    system.bind(xvfb.socket_dir, "/tmp/.X11-unix")
    for platform, extra in (("offscreen", ""), ("xcb", f"DISPLAY=:{xvfb.number} ")):
        code, out, err = in_session(
            system, f"{extra}QT_QPA_PLATFORM={platform} DESKTOP_SYNC_QUIT_AFTER_MS=4000 {ds}\n", ok=False
        )
        assert code == 0, f"the application on {platform} exited {code}:\n{out}\n{err}"
        assert "Traceback" not in err and "Could not load the Qt platform plugin" not in err, err


def test_the_deb_installs_with_its_dependencies_and_runs(
    system: CleanSystem,
    artefacts: Artefacts,
    dovecot: DovecotServer,
    mail_user: MailUser,
    tls_ca: Path,
    xvfb: Display,
) -> None:
    deb = system.put(artefacts.deb, f"/root/{artefacts.deb.name}")
    system.sh(f"cd /root && apt-get install -y -q --no-install-recommends ./{Path(deb).name}")

    for path in (
        "/usr/bin/desktop-sync",
        "/opt/desktop-sync/desktop-sync",
        "/usr/share/applications/desktop-sync.desktop",
        "/usr/share/icons/hicolor/scalable/apps/desktop-sync.svg",
        "/usr/share/icons/hicolor/256x256/apps/desktop-sync.png",
        "/usr/share/metainfo/io.github.desktopsync.DesktopSync.metainfo.xml",
    ):
        assert system.path(path).exists() or system.path(path).is_symlink(), f"{path} is not installed"
    assert "QtWebEngine" not in system.sh("find /opt/desktop-sync -name '*WebEngine*'").out
    check_libraries(system, "/opt/desktop-sync", artefacts.bundle)

    version = system("desktop-sync", "--version")
    assert version.out.strip() == f"desktop-sync {artefacts.version}"
    assert "engine" in system("desktop-sync", "--help").out

    administer(system, "desktop-sync", dovecot, mail_user, Path(tls_ca), xvfb)

    system("apt-get", "remove", "-y", "-q", "desktop-sync")
    assert not system.path("/opt/desktop-sync/desktop-sync").exists()
    assert not system.path("/usr/share/applications/desktop-sync.desktop").exists()


def test_the_tarball_runs_with_the_libraries_its_readme_lists(
    system: CleanSystem,
    artefacts: Artefacts,
    dovecot: DovecotServer,
    mail_user: MailUser,
    tls_ca: Path,
    xvfb: Display,
) -> None:
    tarball = system.put(artefacts.tarball, f"/root/{artefacts.tarball.name}")
    folder = f"/root/desktop-sync-{artefacts.version}-linux-x86_64"
    system.sh(f"cd /root && tar -xzf {tarball}")

    # The admin CLI and the headless engine need none of the desktop's libraries: they run on a bare
    # server (the store is created and migrated there).
    assert system(f"{folder}/desktop-sync", "--version").out.strip() == f"desktop-sync {artefacts.version}"
    assert "engine" in system(f"{folder}/desktop-sync", "--help").out
    assert "No mailboxes" in system(f"{folder}/desktop-sync", "mailbox", "list").out
    assert "Engine stopped: 0 mailbox cycles" in system(f"{folder}/desktop-sync", "engine", "run", "--once").out

    # The README's list, installed by hand as an admin reads it (apt only fetches what is named).
    readme = system.path(f"{folder}/README.txt").read_text()
    listed = re.findall(
        r"^ {4}([a-z0-9][a-z0-9.+-]+)$", re.split(r"expects\s+these", readme, maxsplit=1)[-1], re.MULTILINE
    )
    assert listed == depends(), readme
    system("apt-get", "install", "-y", "-q", "--no-install-recommends", *listed)

    system.sh(f"cd {folder} && ./install.sh")
    installed = "/root/.local/lib/desktop-sync"
    launcher = system.path("/root/.local/share/applications/desktop-sync.desktop").read_text()
    assert f"Exec={installed}/desktop-sync\n" in launcher
    for path in (
        "/root/.local/share/icons/hicolor/scalable/apps/desktop-sync.svg",
        "/root/.local/share/icons/hicolor/256x256/apps/desktop-sync.png",
        "/root/.local/share/metainfo/io.github.desktopsync.DesktopSync.metainfo.xml",
    ):
        assert system.path(path).exists(), f"install.sh did not install {path}"
    check_libraries(system, installed, artefacts.bundle)
    assert system("/root/.local/bin/desktop-sync", "--version").out.strip() == f"desktop-sync {artefacts.version}"

    administer(system, "/root/.local/bin/desktop-sync", dovecot, mail_user, Path(tls_ca), xvfb)

    system.sh(f"{installed}/uninstall.sh")
    for path in ("/root/.local/bin/desktop-sync", installed, "/root/.local/share/applications/desktop-sync.desktop"):
        assert not system.path(path).exists() and not system.path(path).is_symlink(), f"uninstall.sh left {path}"
    assert system.path("/root/.local/share/desktop-sync/desktop-sync.sqlite3").exists(), "uninstall.sh took the data"
