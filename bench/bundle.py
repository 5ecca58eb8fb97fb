"""What an admin downloads and waits for: the bundle's sizes, and the installed package's start times.

Prints the size of the bundle folder, of the tarball and of the .deb made by scripts/build-bundle,
then installs the .deb on a clean Debian 12 (the clean-system test's cached debootstrap tree, in an
overlay) and measures there, on a private Xvfb:
  - cold start to a visible window: the first start after installing (a new user, no store yet:
    the store is created and migrated), from exec to the window mapped on the X server;
  - warm start to a visible window: the next starts (median);
  - `desktop-sync --version` (median).
Aims (issue #18): archive <= 120 MB, cold start to window <= 3 s on the 2-core build machine.
Needs root (chroot) and xwininfo (Debian package x11-utils) to see the window.

    .venv/bin/python bench/bundle.py [--build] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the clean system lives with the tests

from support.bundle import REPO, free_display, project_version  # noqa: E402
from support.chroot import ENV, CleanSystem, base_tree, cache_root, clean_system, debian_mirror  # noqa: E402

WINDOW_TIMEOUT_S = 60.0
PRIORITY: list[str] = []  # --priority: `nice -n -15`, so that other jobs on a shared machine weigh less


def listing(times: list[tuple[float, float]]) -> str:
    return ", ".join(f"{wall:.2f}" for wall, _ in times)


def median(times: list[tuple[float, float]]) -> str:
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return f"{wall:.2f} s, {cpu:.2f} s CPU (medians)"


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def folder_size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() or path.is_symlink())


def start_xvfb() -> tuple[subprocess.Popen[bytes], int]:
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", f":{free_display()}", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as reader:
        return process, int(reader.readline())


def window_visible(display: int) -> bool:
    """A viewable top-level window titled Desktop Sync on ``display``."""
    tree = subprocess.run(
        ["xwininfo", "-display", f":{display}", "-root", "-tree"], capture_output=True, text=True, check=False
    ).stdout
    for line in tree.splitlines():
        if '"Desktop Sync' in line:
            window = line.split()[0]
            info = subprocess.run(
                ["xwininfo", "-display", f":{display}", "-id", window], capture_output=True, text=True, check=False
            ).stdout
            if "Map State: IsViewable" in info:
                return True
    return False


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU time of ``root_pid`` and its descendants so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(proc.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    total, wanted = 0.0, {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, (parent, _) in stats.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def time_to_window(system: CleanSystem, display: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds from exec to the window mapped."""
    environment = {**ENV, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
    assignments = [f"{k}={v}" for k, v in environment.items()]
    command = [*PRIORITY, "chroot", str(system.root), "/usr/bin/env", "-i", *assignments]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "desktop-sync"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not window_visible(display):
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"desktop-sync exited {process.returncode}: {error[-2000:]}")
            if time.perf_counter() - started > WINDOW_TIMEOUT_S:
                raise SystemExit("no window after a minute")
            time.sleep(0.01)
        return time.perf_counter() - started, tree_cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)  # the application's clean quit
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def time_version(system: CleanSystem) -> tuple[float, float]:
    before = os.times()
    started = time.perf_counter()
    system("desktop-sync", "--version")
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.perf_counter() - started, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="run scripts/build-bundle first")
    parser.add_argument("--runs", type=int, default=5, help="warm starts and --version runs to take the median of")
    parser.add_argument("--priority", action="store_true", help="run the timed starts with nice -n -15")
    args = parser.parse_args()
    if args.priority:
        PRIORITY[:] = ["nice", "-n", "-15"]
    if os.geteuid() != 0:
        raise SystemExit("bench/bundle.py needs root: it installs the .deb in a clean Debian system (chroot)")
    if shutil.which("xwininfo") is None:
        raise SystemExit("bench/bundle.py needs xwininfo to see the window: apt-get install x11-utils")
    if args.build:
        subprocess.run([str(REPO / "scripts" / "build-bundle")], check=True)
    version = project_version()
    folder = REPO / "build" / "bundle" / "pyinstaller" / "desktop-sync"
    tarball = REPO / "dist" / f"desktop-sync-{version}-linux-x86_64.tar.gz"
    deb = REPO / "dist" / f"desktop-sync_{version}_amd64.deb"
    for path in (folder, tarball, deb):
        if not path.exists():
            raise SystemExit(f"{path} is missing: run scripts/build-bundle (or pass --build)")

    print(f"bundle folder      {mib(folder_size(folder))}")
    print(f"archive (.tar.gz)  {mib(tarball.stat().st_size)}   aim <= 120 MB")
    print(f"package (.deb)     {mib(deb.stat().st_size)}")

    xvfb, display = start_xvfb()
    try:
        with clean_system(base_tree(debian_mirror()), cache_root() / "apt-archives") as system:
            system("apt-get", "update", "-q")
            system.put(deb, f"/root/{deb.name}")
            system.sh(f"cd /root && apt-get install -y -q --no-install-recommends ./{deb.name}")
            system.bind(Path("/tmp/.X11-unix"), "/tmp/.X11-unix")
            cold = time_to_window(system, display)
            warm = [time_to_window(system, display) for _ in range(args.runs)]
            versions = [time_version(system) for _ in range(args.runs)]
    finally:
        xvfb.terminate()
        xvfb.wait()
    print(f"cold start to window   {cold[0]:.2f} s, {cold[1]:.2f} s CPU   (first start after install)   aim <= 3 s")
    print(f"warm start to window   {median(warm)}   ({listing(warm)})")
    print(f"desktop-sync --version {median(versions)}   ({listing(versions)})")
    print(f"priority: {' '.join(PRIORITY) or 'normal'}")
    print(f"load average after measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
