"""Resources reach the running application, from a checkout and from an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from desktop_sync.resources import resource_path, resources_root

# Read when pytest-qt creates the QApplication; without it Qt aborts on a machine with no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
TRAY_STATES = ("idle", "syncing", "warning", "error")
TRAY_SIZES = (22, 32, 64)
ICON_FILES = [
    "icons/desktop-sync.svg",
    "icons/desktop-sync.png",
    *(f"icons/tray-{state}.svg" for state in TRAY_STATES),
    *(f"icons/tray-{state}-{size}.png" for state in TRAY_STATES for size in TRAY_SIZES),
]


def test_resources_root_is_the_checkout_folder_when_running_from_source():
    assert resources_root() == REPO / "resources"


@pytest.mark.parametrize("relative", ICON_FILES)
def test_every_icon_file_exists(relative):
    assert resource_path(relative).is_file()


@pytest.mark.parametrize("relative", ["../pyproject.toml", "/etc/passwd", "icons/../../README.md", ""])
def test_paths_outside_the_resources_are_refused(relative):
    with pytest.raises(ValueError):
        resource_path(relative)


def test_svg_icons_are_well_formed_and_square():
    for relative in ICON_FILES:
        if relative.endswith(".svg"):
            root = ElementTree.parse(resource_path(relative)).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            _, _, width, height = root.attrib["viewBox"].split()
            assert width == height, relative


@pytest.mark.gui
@pytest.mark.parametrize("relative", ICON_FILES)
def test_every_icon_file_loads_in_qt(qapp, relative):
    from PySide6.QtGui import QPixmap

    pixmap = QPixmap(str(resource_path(relative)))
    assert not pixmap.isNull()
    if relative.endswith(".png"):
        expected = 256 if relative == "icons/desktop-sync.png" else int(relative.rsplit("-", 1)[1][:-4])
        assert (pixmap.width(), pixmap.height()) == (expected, expected)
        assert pixmap.hasAlphaChannel()


@pytest.mark.gui
def test_icon_loaders_give_usable_icons(qapp):
    from desktop_sync.ui import icons

    assert not icons.app_icon().pixmap(48, 48).isNull()
    for state in icons.TRAY_STATE_NAMES:
        icon = icons.tray_icon(state)
        assert not icon.isNull()
        assert not icon.pixmap(22, 22).isNull()


@pytest.mark.slow
def test_the_wheel_carries_the_resources_and_finds_them_when_installed(tmp_path):
    dist = tmp_path / "dist"
    # --no-isolation: build with the venv's hatchling instead of downloading one.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("desktop_sync-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for relative in ICON_FILES:
        assert f"desktop_sync/resources/{relative}" in names

    # Run from the unpacked wheel, away from the checkout: the packaged copy must be the one found.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import desktop_sync.resources as r; print(r.__file__); print(r.resource_path('icons/tray-error-22.png'))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    module_file, icon = probe.stdout.splitlines()
    assert Path(module_file).is_relative_to(tmp_path / "site")
    assert Path(icon) == tmp_path / "site" / "desktop_sync" / "resources" / "icons" / "tray-error-22.png"
    assert Path(icon).is_file()
