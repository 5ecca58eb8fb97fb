"""The codes the product can raise, read from its source: what the message catalogue must cover.

Read with ``ast`` rather than listed by hand, so that a new code is found the day it is written: an
error class's ``code = "..."`` or ``code = CONSTANT``, a ``code=...`` argument (a string, a module's
constant or an ``ErrorCode`` member), a ``code = "a" if ... else "b"`` choice, an alert's code (the
third argument of ``Alert(...)``) or the code of its text (``says=...``), and every member of an
enum named ``ErrorCode``. The checks of what an admin types name theirs in ``field_error("...")``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop_sync"
# The roots of the taxonomy (never raised as they are, each a kind a subclass names), and the code
# of alerts stored before codes and facts (their own sentences are their text).
ABSTRACT = frozenset({"error", "transient", "permanent", "legacy_text"})


def _strings(node: ast.AST | None) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def _constants(tree: ast.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _enum_members(tree: ast.Module, name: str) -> dict[str, str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return {
                target.id: item.value.value
                for item in node.body
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant)
                for target in item.targets
                if isinstance(target, ast.Name) and isinstance(item.value.value, str)
            }
    return {}


def raised_codes(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Every code found, with the modules (relative paths) that raise it."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(package.rglob("*.py"))}
    constants: dict[str, str] = {}
    error_codes: dict[str, str] = {}
    for tree in trees.values():
        constants.update(_constants(tree))
        error_codes.update(_enum_members(tree, "ErrorCode"))
    found: dict[str, set[str]] = {}

    def add(code: str, path: Path) -> None:
        found.setdefault(code, set()).add(str(path.relative_to(package)))

    def resolve(node: ast.AST) -> Iterator[str]:
        yield from _strings(node)
        if isinstance(node, ast.Name) and node.id in constants:
            yield constants[node.id]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ErrorCode":
            yield error_codes[node.attr]
        if isinstance(node, ast.Attribute) and node.attr == "value":
            yield from resolve(node.value)

    for path, tree in trees.items():
        local = {**constants, **_constants(tree)}
        for node in ast.walk(tree):
            assigned = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("code", "says") for t in node.targets
            )
            if assigned or (isinstance(node, ast.keyword) and node.arg in ("code", "says")):
                for code in resolve(node.value):
                    add(code, path)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Alert":
                if len(node.args) >= 3:
                    for code in resolve(node.args[2]):
                        add(code, path)
            elif isinstance(node, ast.Name) and node.id in local and node.id.endswith("_ALERT"):
                add(local[node.id], path)
    for code in error_codes.values():
        add(code, PACKAGE / "connectors" / "errors.py")
    return {code: where for code, where in found.items() if code not in ABSTRACT}


def field_error_codes(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Every check's code given to ``field_error(...)``, directly or through a ``code`` variable."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_check = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "field_error"
            if is_check and node.args:
                for code in _strings(node.args[0]):
                    found.setdefault(code, set()).add(str(path.relative_to(package)))
    return found
