"""A clean Debian 12 system to install Desktop Sync into: debootstrap minbase, cached, used through overlays.

The base tree is made once per machine (``debootstrap --variant=minbase``, keyed by the suite, the
mirror and this file's base recipe) under /var/cache/desktop-sync-tests (or ~/.cache when that is not
writable), and never changed afterwards: each test gets its own overlay of it, with /proc, /dev and
the shared download cache of .debs mounted, so it starts from a minimal system and leaves no trace.
Everything here needs root (debootstrap, mount, chroot).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SUITE = "bookworm"
VARIANT = "minbase"
# Bump when the way the base tree is made changes, so that stale caches are not reused.
BASE_RECIPE = "1"
ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "DEBIAN_FRONTEND": "noninteractive",
}


class ChrootUnavailable(Exception):
    """This machine cannot make a clean system (not root, no debootstrap, no Debian mirror)."""


def cache_root() -> Path:
    for candidate in (Path("/var/cache/desktop-sync-tests"), Path.home() / ".cache" / "desktop-sync-tests"):
        with contextlib.suppress(OSError):
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
    raise ChrootUnavailable("no writable cache directory for the clean Debian system")


def debian_mirror(sources: Sequence[Path] = (Path("/etc/apt/sources.list.d"), Path("/etc/apt/sources.list"))) -> str:
    """The Debian archive this machine's apt uses for the suite, read from its sources (deb822 or one-line)."""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files += sorted(source.glob("*.sources")) + sorted(source.glob("*.list"))
        elif source.is_file():
            files.append(source)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(
                    (key.strip().lower(), value.strip())
                    for key, _, value in (
                        line.partition(":") for line in stanza.splitlines() if not line.startswith("#")
                    )
                    if value
                )
                if SUITE in fields.get("suites", "").split() and "deb" in fields.get("types", "").split():
                    return fields["uris"].split()[0].rstrip("/")
        else:
            for line in text.splitlines():
                words = line.split("#", 1)[0].split()
                if len(words) >= 3 and words[0] == "deb" and SUITE in words[2:3]:
                    uri = next(word for word in words[1:] if not word.startswith("["))
                    return uri.rstrip("/")
    raise ChrootUnavailable(f"no Debian {SUITE} archive in this machine's apt sources")


def base_tree(mirror: str) -> Path:
    """The cached minbase tree for ``mirror``, made now if missing (a few minutes, once per machine)."""
    if os.geteuid() != 0:
        raise ChrootUnavailable("making a clean Debian system needs root (debootstrap, mount, chroot)")
    debootstrap = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if debootstrap is None:
        raise ChrootUnavailable("debootstrap is not installed (Debian package: debootstrap)")
    key = hashlib.sha256(f"{SUITE} {VARIANT} {mirror} {BASE_RECIPE}".encode()).hexdigest()[:16]
    root = cache_root()
    tree = root / f"{SUITE}-{VARIANT}-{key}"
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test session on this machine may be making it
        if (tree / ".complete").exists():
            return tree
        partial = Path(tempfile.mkdtemp(prefix="partial-", dir=root))
        try:
            run([debootstrap, f"--variant={VARIANT}", SUITE, str(partial), mirror], timeout=1800)
            # No service starts inside the clean system (a package's postinst may try).
            policy = partial / "usr/sbin/policy-rc.d"
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
            (partial / ".complete").write_text(f"{SUITE} {VARIANT} {mirror}\n")
            shutil.rmtree(tree, ignore_errors=True)
            partial.rename(tree)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return tree


def run(argv: Sequence[str], *, timeout: float, input: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, input=input, check=False)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


@dataclass
class Result:
    code: int
    out: str
    err: str


class CleanSystem:
    """One overlay of the base tree, mounted, to run commands in with ``chroot``."""

    def __init__(self, base: Path, work: Path, apt_archives: Path):
        self.base = base
        self.work = work
        self.root = work / "root"
        self.apt_archives = apt_archives
        self._mounted: list[Path] = []

    def __enter__(self) -> CleanSystem:
        upper, workdir = self.work / "upper", self.work / "work"
        for directory in (upper, workdir, self.root):
            directory.mkdir(parents=True)
        try:
            self._mount(
                ["-t", "overlay", "overlay", "-o", f"lowerdir={self.base},upperdir={upper},workdir={workdir}"],
                self.root,
            )
            self._mount(["-t", "proc", "proc"], self.root / "proc")
            self._mount(["-t", "sysfs", "sysfs"], self.root / "sys")
            self._mount(["--rbind", "/dev"], self.root / "dev")  # /dev/shm for the engine's worker processes
            (self.apt_archives / "partial").mkdir(parents=True, exist_ok=True)
            self._mount(["--bind", str(self.apt_archives)], self.root / "var/cache/apt/archives")
            shutil.copy("/etc/resolv.conf", self.root / "etc/resolv.conf")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _mount(self, options: list[str], target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        run(["mount", *options, str(target)], timeout=60)
        self._mounted.append(target)

    def bind(self, host: Path, inside: str) -> None:
        """Make the host's directory ``host`` visible at ``inside`` (unmounted with the system)."""
        self._mount(["--bind", str(host)], self.path(inside))

    def processes(self) -> list[int]:
        """The processes whose root is this system (whatever a test left running in it)."""
        found = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                with contextlib.suppress(OSError):
                    root = os.readlink(proc / "root")
                    if root == str(self.root) or root.startswith(f"{self.root}/"):
                        found.append(int(proc.name))
        return found

    def close(self) -> None:
        for pid in self.processes():  # ours: started in this chroot by the test
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for target in reversed(self._mounted):
            result = subprocess.run(["umount", "-R", str(target)], capture_output=True, text=True, check=False)
            if result.returncode != 0:
                subprocess.run(["umount", "-R", "-l", str(target)], capture_output=True, check=False)
        self._mounted.clear()
        still = [
            line.split()[1]
            for line in Path("/proc/self/mounts").read_text().splitlines()
            if line.split()[1].startswith(f"{self.work}/")
        ]
        if still:  # never delete through a mount (/dev is bound in): leave the tree for a human
            raise RuntimeError(f"could not unmount {still} of the clean system in {self.work}")
        shutil.rmtree(self.work, ignore_errors=True)

    def path(self, inside: str) -> Path:
        """The host's path of ``inside`` (an absolute path in the clean system)."""
        return self.root / inside.lstrip("/")

    def put(self, source: Path, inside: str) -> str:
        target = self.path(inside)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        return inside

    def __call__(
        self,
        *argv: str,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        timeout: float = 600,
        ok: bool = True,
    ) -> Result:
        """Run ``argv`` in the clean system as root, with a minimal environment plus ``env``."""
        environment = {**ENV, **(env or {})}
        command = ["chroot", str(self.root), "/usr/bin/env", "-i", *(f"{k}={v}" for k, v in environment.items()), *argv]
        completed = subprocess.run(command, capture_output=True, text=True, input=input, timeout=timeout, check=False)
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        if ok and result.code != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {result.code} in the clean system:\n"
                f"{result.out[-4000:]}\n{result.err[-4000:]}"
            )
        return result

    def sh(self, script: str, **kwargs: object) -> Result:
        return self("/bin/sh", "-ec", script, **kwargs)  # type: ignore[arg-type]


@contextlib.contextmanager
def clean_system(base: Path, apt_archives: Path) -> Iterator[CleanSystem]:
    work = Path(tempfile.mkdtemp(prefix="desktop-sync-clean-system-"))
    with CleanSystem(base, work, apt_archives) as system:
        yield system
