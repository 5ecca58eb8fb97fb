"""Fixtures of the packaging tests: the artefacts built once per session, the clean Debian system, Xvfb."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from support.bundle import REPO, Artefacts, Display, free_display, project_version
from support.chroot import ChrootUnavailable, CleanSystem, base_tree, cache_root, clean_system, debian_mirror


def unavailable(reason: str) -> NoReturn:
    """Like the servers' fixtures: a failure where the test command installed what is missing, else a skip."""
    if any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in ("CI", "DESKTOP_SYNC_REQUIRE_SERVERS")
    ):
        pytest.fail(f"{reason}. CI must run the clean-system test: scripts/run-tests installs it.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def debian_base() -> Path:
    """The cached minbase Debian 12 tree (made on first use on this machine: a few minutes)."""
    if os.geteuid() != 0:
        pytest.skip("the clean-system test needs root (debootstrap, mount, chroot); CI runs it as root")
    try:
        return base_tree(debian_mirror())
    except ChrootUnavailable as exc:
        unavailable(str(exc))


@pytest.fixture(scope="session")
def artefacts(debian_base: Path) -> Artefacts:
    """The tarball and the .deb, built by scripts/build-bundle once per session."""
    result = subprocess.run(
        [str(REPO / "scripts" / "build-bundle")], cwd=REPO, capture_output=True, text=True, timeout=3600, check=False
    )
    assert result.returncode == 0, f"scripts/build-bundle failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    version = project_version()
    found = Artefacts(
        version,
        REPO / "dist" / f"desktop-sync-{version}-linux-x86_64.tar.gz",
        REPO / "dist" / f"desktop-sync_{version}_amd64.deb",
        REPO / "build" / "bundle" / "pyinstaller" / "desktop-sync",
    )
    for path in (found.tarball, found.deb, found.bundle):
        assert path.exists(), f"scripts/build-bundle did not make {path}"
    return found


@pytest.fixture
def system(debian_base: Path) -> Iterator[CleanSystem]:
    """A fresh overlay of the clean system for one test; the downloaded .debs are shared between runs."""
    with clean_system(debian_base, cache_root() / "apt-archives") as clean:
        clean("apt-get", "update", "-q")
        yield clean


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Display]:
    """A private X server (Xvfb) whose socket a clean system can be given."""
    binary = shutil.which("Xvfb")
    if binary is None:
        unavailable("Xvfb is not installed (Debian package: xvfb)")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [binary, f":{free_display()}", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as reader:
        number = reader.readline().strip()  # Xvfb writes its display number once it accepts connections
    if not number.isdigit():
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"Xvfb did not start: {err.decode(errors='replace')[-2000:]}")
    try:
        yield Display(int(number), Path("/tmp/.X11-unix"))
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture
def scratch() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="desktop-sync-packaging-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
