"""Microsoft's published EWS schemas, loaded once, to validate SOAP envelopes and to order item fields.

The schemas live in the repository, in ``tests/reference/ews/schema/`` (provenance and licence in
``tests/reference/ews/PROVENANCE.md``). ``ews-envelope.xsd`` is the entry point: it imports a local stand-in for the XML
namespace first (``types.xsd`` imports that namespace without a location), then a strict SOAP 1.1
envelope whose Header and Body children must be global EWS elements, then ``messages.xsd``, which
imports ``types.xsd``. lxml compiles the set as it is, in about 0.2 s, with no network access.

Besides validation, :func:`child_order` reads the ``xs:sequence`` of a complex type (with its base
types first), so the test server can write an item's fields in the order the schema demands.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
SCHEMA_DIR_ENV = "EWS_SCHEMA_DIR"


def schema_dir() -> Path:
    """The folder with ``ews-envelope.xsd``: ``$EWS_SCHEMA_DIR`` if set, else ``tests/reference/ews/schema``."""
    override = os.environ.get(SCHEMA_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "reference" / "ews" / "schema"


class SchemaUnavailable(RuntimeError):
    """The EWS schema files are not where they should be."""


@dataclass(frozen=True, slots=True)
class SchemaError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class EwsSchema:
    """The compiled envelope schema; ``errors()`` lists what is wrong with a document, ``[]`` when valid."""

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or schema_dir()
        entry = directory / "ews-envelope.xsd"
        if not entry.is_file():
            raise SchemaUnavailable(f"EWS schemas not found at {directory} (expected ews-envelope.xsd there)")
        self.directory = directory
        # Compiling must not fetch anything: every import has a local schemaLocation.
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        self._schema = etree.XMLSchema(etree.parse(str(entry), parser))
        self._lock = threading.Lock()

    def errors(self, document: bytes | etree._Element) -> list[SchemaError]:
        if isinstance(document, bytes):
            try:
                root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, huge_tree=True))
            except etree.XMLSyntaxError as exc:
                return [SchemaError(exc.lineno or 0, f"not well-formed XML: {exc.msg}")]
        else:
            root = document
        # The validator keeps its error log between calls, and the server validates from several
        # handler threads: one validation at a time (each takes about a millisecond).
        with self._lock:
            ok = self._schema.validate(root)
            log = [] if ok else list(self._schema.error_log)
        return [SchemaError(entry.line, entry.message) for entry in log]

    def is_valid(self, document: bytes | etree._Element) -> bool:
        return not self.errors(document)

    def assert_valid(self, document: bytes | etree._Element, what: str = "document") -> None:
        problems = self.errors(document)
        if problems:
            listing = "\n  ".join(str(problem) for problem in problems[:20])
            raise AssertionError(f"{what} does not validate against the EWS schemas:\n  {listing}")


@functools.cache
def load_schema() -> EwsSchema:
    """The process-wide compiled schema (compiled on first use)."""
    return EwsSchema()


# --- field order


@functools.cache
def _types_tree() -> etree._ElementTree:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.parse(str(schema_dir() / "types.xsd"), parser)


@functools.cache
def _complex_types() -> dict[str, etree._Element]:
    root = _types_tree().getroot()
    return {node.get("name"): node for node in root.iterfind(f"{{{XS}}}complexType")}


@functools.cache
def _groups() -> dict[str, etree._Element]:
    root = _types_tree().getroot()
    return {node.get("name"): node for node in root.iterfind(f"{{{XS}}}group")}


def _local(qname: str | None) -> str:
    return (qname or "").split(":")[-1]


def _collect(node: etree._Element, names: dict[str, str]) -> None:
    for child in node:
        if not isinstance(child.tag, str):
            continue
        tag = etree.QName(child).localname
        if tag == "element":
            name = child.get("name") or _local(child.get("ref"))
            names.setdefault(name, child.get("type") or "")
        elif tag in ("sequence", "choice", "all"):
            _collect(child, names)
        elif tag == "group":
            _collect(_groups()[_local(child.get("ref"))], names)
        elif tag in ("complexContent", "extension", "restriction"):
            _collect(child, names)


@functools.cache
def child_types(type_name: str) -> dict[str, str]:
    """Child element name -> its type (``"xs:boolean"``, ``"t:BodyType"``…) of a ``types.xsd`` complex
    type, base type first, in schema order."""
    node = _complex_types()[type_name]
    names: dict[str, str] = {}
    extension = node.find(f"{{{XS}}}complexContent/{{{XS}}}extension")
    if extension is not None:
        names.update(child_types(_local(extension.get("base"))))
    _collect(node, names)
    return names


@functools.cache
def child_order(type_name: str) -> tuple[str, ...]:
    """The child element names of a ``types.xsd`` complex type, base type first, in schema order."""
    return tuple(child_types(type_name))
