"""The repository stands alone: nothing the product, its tests, benchmarks or scripts read lies outside it.

A fresh clone in an empty folder must pass the README's test command, so no file under ``desktop_sync/``,
``tests/``, ``bench/`` or ``scripts/`` may name a path outside the repository: no sibling folder beside
the clone (the developers' research folder, say), no machine-specific absolute path, no
``Path(__file__)`` arithmetic that climbs above the repository's root, no ``$(dirname "$0")/..`` that
does. Reference material lives in ``tests/reference/`` with its provenance.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("desktop_sync", "tests", "bench", "scripts")
REFERENCE = REPO / "tests" / "reference"  # third-party data, not code that reads paths
SELF = Path(__file__).resolve()  # its own examples of what is refused
TEXT_SUFFIXES = {"", ".py", ".sh", ".md", ".toml", ".ini", ".cfg", ".txt", ".json", ".yaml", ".yml", ".ts"}

# Roots of someone's machine: a path under them is outside any clone. (/tmp is scratch space for output;
# /etc, /srv and the like appear as sample values, which nothing reads.)
MACHINE_ROOTS = ("/work", "/home", "/Users", "/root", "/shared")
# Files that drive another system (the clean Debian 12 of the packaging test, a chroot): /root there
# is that system's home, which the test creates, not a folder of this machine.
INSIDE_ANOTHER_SYSTEM = {"tests/packaging/test_clean_system.py", "tests/support/chroot.py", "bench/bundle.py"}


def absolute_pattern(roots: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(root) for root in roots)
    return re.compile(r"""(?<![\w.:/~}\])$-])(?:""" + alternatives + r""")(?=/|["'\s`)]|$)""")


ABSOLUTE = absolute_pattern(MACHINE_ROOTS)
ABSOLUTE_IN_ANOTHER_SYSTEM = absolute_pattern(tuple(root for root in MACHINE_ROOTS if root != "/root"))
SIBLING = "shared"  # the developers' research folder beside a clone, which a user's clone lacks
SHARED = re.compile(rf"""(?:\.\./)+{SIBLING}\b|\b{SIBLING}/docs\b|["']{SIBLING}["']""")
PARENT_STRING = re.compile(r"""/\s*["']\.\.(?:/[^"']*)?["']""")  # path / "..", path / "../x"
FILE_ARITHMETIC = re.compile(r"Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parents\[\d+\]|\.parent)+)")
SHELL_DIRNAME = re.compile(r"""\$\(dirname\s+["']?\$(?:0|\{BASH_SOURCE\[0\]\}|BASH_SOURCE)["']?\)((?:/\.\.)+)""")


def climb(chain: str) -> int:
    """How many directories ``.parent`` / ``.parents[n]`` steps climb from the file itself."""
    steps = 0
    for part in re.findall(r"\.parents\[(\d+)\]|\.parent", chain):
        steps += int(part) + 1 if part else 1
    return steps


def problems(relative: PurePosixPath, text: str) -> list[str]:
    """What in ``text`` (the file at ``relative``, from the repository's root) names a path outside it."""
    depth = len(relative.parts)  # climbing this many from the file itself reaches the root; one more, outside
    found: list[str] = []
    absolute = ABSOLUTE_IN_ANOTHER_SYSTEM if str(relative) in INSIDE_ANOTHER_SYSTEM else ABSOLUTE
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{relative}:{number}"
        if SHARED.search(line):
            found.append(f"{where}: refers to a shared folder outside the repository: {line.strip()}")
        if match := absolute.search(line):
            found.append(f"{where}: machine-specific absolute path {match.group(0)!r}: {line.strip()}")
        if PARENT_STRING.search(line):
            found.append(f"{where}: joins '..' onto a path: {line.strip()}")
        for match in FILE_ARITHMETIC.finditer(line):
            if climb(match.group(1)) > depth:
                found.append(f"{where}: Path(__file__){match.group(1)} climbs out of the repository")
        for match in SHELL_DIRNAME.finditer(line):
            # $(dirname "$0") is the script's folder (one level below the root for scripts/x).
            if match.group(1).count("/..") >= depth:
                found.append(f"{where}: dirname of the script{match.group(1)} climbs out of the repository")
    return found


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*")):
            if not path.is_file() or REFERENCE in path.parents or "__pycache__" in path.parts or path == SELF:
                continue
            if path.suffix in TEXT_SUFFIXES:
                files.append(path)
    return files


def test_no_file_refers_to_a_path_outside_the_repository() -> None:
    files = scanned_files()
    assert len(files) > 100  # the scan really covers the package, the tests, benchmarks and scripts
    found: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        found += problems(PurePosixPath(path.relative_to(REPO).as_posix()), text)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        (
            "tests/migration/router_samples.py",
            f'SAMPLES = Path(__file__).resolve().parents[2].parent / "{SIBLING}/docs/x"',
        ),
        ("tests/ews/schema.py", "    return Path(__file__).resolve().parents[3] / 'anything'"),
        ("tests/ews/schema.py", "    return Path(__file__).parent.parent.parent.parent / 'docs'"),
        ("bench/ews_idle.py", "ROOT = Path(__file__).resolve().parents[0].parent.parent"),
        ("tests/x.py", f'SCHEMAS = "../{SIBLING}/docs/ews/schema"'),
        ("tests/x.py", f'SCHEMAS = Path("/work/{SIBLING}/docs/ews/schema")'),
        ("tests/x.py", "DATA = '/home/alice/router'"),
        ("scripts/screenshot", 'cd "$(dirname "$0")/../.."'),
        ("scripts/screenshot", f"cat $(dirname $0)/../../{SIBLING}/README.md"),
        ("desktop_sync/x.py", 'HERE = ROOT / ".." / "elsewhere"'),
        ("tests/x.py", 'OTHER = REPO / "../other-clone"'),
    ],
)
def test_the_check_finds_each_way_out(relative: str, line: str) -> None:
    assert problems(PurePosixPath(relative), line) != []


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        ("tests/ews/schema.py", 'return Path(__file__).resolve().parents[1] / "reference" / "ews" / "schema"'),
        ("bench/ews_support.py", 'TESTS = Path(__file__).resolve().parent.parent / "tests"'),
        ("scripts/run-tests", 'cd "$(dirname "$0")/.."'),
        ("tests/x.py", 'SHOTS = Path("/tmp/shots/wizard")'),
        ("tests/ews/schema.py", 'return Path(__file__).resolve().parents[2] / "docs"'),
        ("tests/servers/dovecot.py", "  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u"),
        ("tests/domain/test_mail.py", '        ("../../etc/passwd", "passwd"),'),
        ("tests/x.py", 'run("mailbox", "add", "shared@example.test")'),
        ("desktop_sync/x.py", "# keep data in ~/.local/share/desktop-sync"),
    ],
)
def test_the_check_lets_paths_inside_the_repository_be(relative: str, line: str) -> None:
    assert problems(PurePosixPath(relative), line) == []


def test_the_readers_find_their_reference_files_inside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    from ews.schema import SCHEMA_DIR_ENV, schema_dir
    from migration.router_samples import SAMPLES

    monkeypatch.delenv(SCHEMA_DIR_ENV, raising=False)  # an override exists; the default is the repository's copy
    for folder, entry in ((SAMPLES, "Microsoft.Crm.Tools.EmailAgent.xml"), (schema_dir(), "ews-envelope.xsd")):
        assert REFERENCE in folder.resolve().parents
        assert (folder / entry).is_file()


@pytest.mark.parametrize("folder", ["ews", "email-router", "graph"])
def test_each_reference_folder_gives_its_provenance_and_licence(folder: str) -> None:
    provenance = (REFERENCE / folder / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "Source" in provenance or "What" in provenance
    assert "Licence" in provenance


def test_the_graph_metadata_comes_with_its_licence_text() -> None:
    licence = (REFERENCE / "graph" / "LICENSE-msgraph-metadata").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert (REFERENCE / "graph" / "graph-v1.0-csdl.xml").stat().st_size > 1_000_000
