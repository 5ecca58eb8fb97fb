"""What the packaging tests and bench/bundle.py share: the artefacts scripts/build-bundle makes."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Artefacts:
    version: str
    tarball: Path
    deb: Path
    bundle: Path  # the PyInstaller folder the two were made from


def project_version() -> str:
    return str(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def depends() -> list[str]:
    """packaging/debian-depends: the system packages the bundle expects."""
    lines = (line.split("#", 1)[0].strip() for line in (REPO / "packaging" / "debian-depends").read_text().splitlines())
    return [line for line in lines if line]


@dataclass(frozen=True)
class Display:
    number: int
    socket_dir: Path


def free_display() -> int:
    """An X display number no server holds, away from the low numbers other jobs' servers take."""
    for number in random.sample(range(200, 900), 700):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number in 200-899")
