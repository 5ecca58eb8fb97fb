"""One version everywhere, and the icons the bundle uses on Windows and macOS (scripts/make-icons.py)."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage
from support.bundle import REPO, depends, project_version

import desktop_sync

ICONS = REPO / "resources" / "icons"


def test_the_version_comes_from_the_package_metadata() -> None:
    assert desktop_sync.__version__ == project_version()
    shown = subprocess.run(
        [sys.executable, "-m", "desktop_sync", "--version"], capture_output=True, text=True, check=True, timeout=120
    )
    assert shown.stdout == f"desktop-sync {project_version()}\n"
    # --version among other options goes through the full parser, and says the same
    parsed = subprocess.run(
        [sys.executable, "-m", "desktop_sync", "--db", "unused.sqlite3", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert parsed.stdout == shown.stdout


def test_the_appstream_file_names_the_current_release_and_the_launcher() -> None:
    root = ET.parse(REPO / "packaging" / "io.github.desktopsync.DesktopSync.metainfo.xml").getroot()
    releases = [release.get("version") for release in root.iter("release")]
    assert releases and releases[0] == project_version(), "add a <release> for the version in pyproject.toml"
    assert root.findtext("launchable") == "desktop-sync.desktop"
    desktop = (REPO / "packaging" / "desktop-sync.desktop").read_text()
    assert "\nExec=desktop-sync\n" in desktop and "\nIcon=desktop-sync\n" in desktop


def test_the_depends_list_is_debian_package_names() -> None:
    names = depends()
    assert len(names) == len(set(names))
    for name in names:
        assert name.replace("-", "").replace(".", "").replace("+", "").isalnum() and name == name.lower(), name


def png_size(data: bytes) -> tuple[int, int]:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull()
    return image.width(), image.height()


@pytest.mark.gui
def test_the_windows_icon_holds_each_size_as_a_png(qapp) -> None:
    data = (ICONS / "desktop-sync.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count == 7
    sizes = []
    for n in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * n)
        side = width or 256
        assert width == height
        assert png_size(data[offset : offset + length]) == (side, side)
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


@pytest.mark.gui
def test_the_macos_icon_holds_each_size_as_a_png(qapp) -> None:
    data = (ICONS / "desktop-sync.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    offset, found = 8, {}
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        found[kind] = png_size(data[offset + 8 : offset + length])
        offset += length
    assert found == {
        b"icp4": (16, 16), b"icp5": (32, 32), b"icp6": (64, 64), b"ic07": (128, 128),
        b"ic08": (256, 256), b"ic09": (512, 512), b"ic10": (1024, 1024),
    }  # fmt: skip
