"""A checker of JSON answers against Microsoft's published Graph v1.0 metadata (tests/reference/graph).

``GraphSchema.load()`` reads the CSDL (every schema in it: ``microsoft.graph`` and its sub-namespaces,
aliases resolved) into entity, complex and enum types. ``check(type_name, value)`` returns the list of
problems of one JSON value as the type it claims to be (empty when it conforms):

- every property must be declared by the type or a base type (``BaseType`` followed up to ``entity``,
  which declares ``id``); a navigation property may appear (``$expand``) as its target type;
- ``null`` only where ``Nullable`` is not ``false`` (collections are never ``null``);
- ``Edm.*`` values as JSON has them: strings for ``DateTimeOffset`` (ISO 8601 with an offset), ``Date``,
  ``TimeOfDay``, ``Duration`` (ISO 8601), ``Guid``, ``Binary`` (base64), ``Int64`` and ``Decimal`` may
  be numbers; enum members by name (flags joined by commas);
- ``@odata.type`` may name a type derived from the declared one, which is then checked instead;
- OData's control information (``@odata.context``, ``@odata.etag``, ``@odata.id``, ``@odata.nextLink``,
  ``@odata.deltaLink``, ``@odata.count``) and ``@removed`` (delta) are allowed; any other annotation is not.

``check_collection`` checks a page (``{"value": [...], "@odata.nextLink" | "@odata.deltaLink": ...}``).
The checker is deliberately independent of the test server: it knows only Microsoft's file.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CSDL = Path(__file__).resolve().parents[1] / "reference" / "graph" / "graph-v1.0-csdl.xml"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
CONTROL = frozenset(
    {"@odata.context", "@odata.etag", "@odata.id", "@odata.type", "@odata.nextLink", "@odata.deltaLink", "@odata.count"}
)
REMOVED = "@removed"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DURATION = re.compile(r"^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}:\d{2})$")
_INTEGERS = {"Edm.Byte": (0, 255), "Edm.SByte": (-128, 127), "Edm.Int16": (-(2**15), 2**15 - 1),
             "Edm.Int32": (-(2**31), 2**31 - 1), "Edm.Int64": (-(2**63), 2**63 - 1)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Property:
    name: str
    type: str  # qualified: "Edm.String", "microsoft.graph.recipient", "Collection(...)"
    nullable: bool
    navigation: bool = False


@dataclass(slots=True)
class StructuredType:
    name: str  # qualified
    kind: str  # "entity" or "complex"
    base: str | None
    abstract: bool
    properties: dict[str, Property] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EnumType:
    name: str
    members: frozenset[str]
    flags: bool


class GraphSchema:
    def __init__(self, types: dict[str, StructuredType], enums: dict[str, EnumType]) -> None:
        self.types = types
        self.enums = enums
        self._derived: dict[str, set[str]] = {}
        for name, structured in types.items():
            base = structured.base
            while base is not None:
                self._derived.setdefault(base, set()).add(name)
                base = types[base].base if base in types else None

    @staticmethod
    @cache
    def load(path: Path = CSDL) -> GraphSchema:
        root = ET.parse(path).getroot()
        aliases: dict[str, str] = {}
        for schema in root.iter(EDM + "Schema"):
            namespace = schema.get("Namespace", "")
            aliases[namespace] = namespace
            if schema.get("Alias"):
                aliases[schema.get("Alias", "")] = namespace

        def qualify(name: str) -> str:
            if name.startswith("Collection(") and name.endswith(")"):
                return f"Collection({qualify(name[11:-1])})"
            if name.startswith("Edm."):
                return name
            prefix, _, short = name.rpartition(".")
            return f"{aliases.get(prefix, prefix)}.{short}"

        types: dict[str, StructuredType] = {}
        enums: dict[str, EnumType] = {}
        for schema in root.iter(EDM + "Schema"):
            namespace = schema.get("Namespace", "")
            for element in schema:
                kind = {EDM + "EntityType": "entity", EDM + "ComplexType": "complex"}.get(element.tag)
                name = f"{namespace}.{element.get('Name')}"
                if element.tag == EDM + "EnumType":
                    members = frozenset(m.get("Name", "") for m in element.iter(EDM + "Member"))
                    enums[name] = EnumType(name, members, element.get("IsFlags") == "true")
                if kind is None:
                    continue
                base = element.get("BaseType")
                structured = StructuredType(
                    name, kind, qualify(base) if base else None, element.get("Abstract") == "true"
                )
                for child in element:
                    navigation = child.tag == EDM + "NavigationProperty"
                    if child.tag not in (EDM + "Property", EDM + "NavigationProperty"):
                        continue
                    prop_name = child.get("Name", "")
                    nullable = child.get("Nullable") != "false"
                    structured.properties[prop_name] = Property(
                        prop_name, qualify(child.get("Type", "")), nullable, navigation
                    )
                types[name] = structured
        return GraphSchema(types, enums)

    # --- lookups

    def resolve(self, name: str) -> str:
        """A short name ("message") or an aliased one ("graph.message") as the qualified name."""
        if name in self.types or name in self.enums:
            return name
        for candidate in (f"microsoft.graph.{name}", f"microsoft.graph.{name.rpartition('.')[2]}"):
            if candidate in self.types or candidate in self.enums:
                return candidate
        raise KeyError(f"no type {name!r} in the Graph metadata")

    def properties(self, type_name: str) -> dict[str, Property]:
        found: dict[str, Property] = {}
        chain: list[StructuredType] = []
        current: str | None = self.resolve(type_name)
        while current is not None and current in self.types:
            chain.append(self.types[current])
            current = self.types[current].base
        for structured in reversed(chain):
            found.update(structured.properties)
        return found

    def derives_from(self, derived: str, base: str) -> bool:
        return derived == base or derived in self._derived.get(base, set())

    # --- checking

    def check(self, type_name: str, value: Any, path: str = "$") -> list[str]:
        """Problems of ``value`` as an instance of the structured type ``type_name``."""
        qualified = self.resolve(type_name)
        if not isinstance(value, dict):
            return [f"{path}: a {qualified} must be a JSON object, not {_json_kind(value)}"]
        problems: list[str] = []
        claimed = value.get("@odata.type")
        if claimed is not None:
            if not isinstance(claimed, str):
                return [f"{path}.@odata.type: must be a string"]
            try:
                actual = self.resolve(claimed.lstrip("#"))
            except KeyError:
                return [f"{path}.@odata.type: {claimed!r} is not a Graph type"]
            if not self.derives_from(actual, qualified):
                return [f"{path}.@odata.type: {actual} does not derive from {qualified}"]
            qualified = actual
        if REMOVED in value:  # a delta answer's deleted item: its id and why it went, nothing else
            removed = value[REMOVED]
            if not isinstance(removed, dict) or set(removed) - {"reason"}:
                problems.append(f"{path}.@removed: must be an object with at most a reason")
            elif removed.get("reason") not in (None, "changed", "deleted"):
                problems.append(f"{path}.@removed.reason: {removed.get('reason')!r} is neither 'changed' nor 'deleted'")
        declared = self.properties(qualified)
        for key, item in value.items():
            where = f"{path}.{key}"
            if key.startswith("@"):
                if key not in CONTROL and key != REMOVED:
                    problems.append(f"{where}: not an OData annotation Graph sends")
                continue
            name, at, annotation = key.partition("@")
            if at:
                if name not in declared or f"@{annotation}" not in CONTROL:
                    problems.append(f"{where}: an annotation of an undeclared property or an unknown annotation")
                continue
            prop = declared.get(key)
            if prop is None:
                problems.append(f"{where}: {qualified} declares no property {key!r}")
                continue
            problems.extend(self._check_value(prop.type, prop.nullable, item, where))
        return problems

    def check_collection(self, type_name: str, page: Any, path: str = "$") -> list[str]:
        """Problems of a page of a collection (``value`` and its control information)."""
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            return [f"{path}: a collection page must be an object with a 'value' list"]
        problems = [f"{path}.{k}: not allowed beside a collection" for k in page if k != "value" and k not in CONTROL]
        for index, item in enumerate(page["value"]):
            problems.extend(self.check(type_name, item, f"{path}.value[{index}]"))
        if "@odata.nextLink" in page and "@odata.deltaLink" in page:
            problems.append(f"{path}: a page has a next link or a delta link, not both")
        return problems

    def _check_value(self, type_name: str, nullable: bool, value: Any, where: str) -> list[str]:
        if type_name.startswith("Collection("):
            if not isinstance(value, list):
                return [f"{where}: {type_name} must be a JSON list, not {_json_kind(value)}"]
            inner = type_name[11:-1]
            problems: list[str] = []
            for index, item in enumerate(value):
                problems.extend(self._check_value(inner, True, item, f"{where}[{index}]"))
            return problems
        if value is None:
            return [] if nullable else [f"{where}: may not be null"]
        if type_name.startswith("Edm."):
            problem = _check_primitive(type_name, value)
            return [f"{where}: {problem}"] if problem else []
        if type_name in self.enums:
            return _check_enum(self.enums[type_name], value, where)
        if type_name in self.types:
            return self.check(type_name, value, where)
        return [f"{where}: the metadata has no type {type_name}"]


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _check_enum(enum: EnumType, value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {enum.name} must be a member's name, not {_json_kind(value)}"]
    names = value.split(",") if enum.flags else [value]
    unknown = [n for n in names if n.strip() not in enum.members]
    return [f"{where}: {value!r} is not a member of {enum.name}"] if unknown else []


def _check_primitive(type_name: str, value: Any) -> str | None:
    kind = _json_kind(value)
    if type_name in ("Edm.String", "Edm.Untyped"):
        return None if type_name == "Edm.Untyped" or isinstance(value, str) else f"must be a string, not {kind}"
    if type_name == "Edm.Boolean":
        return None if isinstance(value, bool) else f"must be a boolean, not {kind}"
    if type_name in _INTEGERS:
        low, high = _INTEGERS[type_name]
        if type_name == "Edm.Int64" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)  # IEEE754Compatible answers send 64-bit integers as strings
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be an integer, not {kind}"
        return None if low <= value <= high else f"{value} is out of range for {type_name}"
    if type_name in ("Edm.Double", "Edm.Single", "Edm.Decimal"):
        if isinstance(value, str) and value in ("INF", "-INF", "NaN"):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"must be a number, not {kind}"
        return None
    if not isinstance(value, str):
        return f"{type_name} must be a string, not {kind}"
    if type_name == "Edm.DateTimeOffset":
        if not _DATETIME.match(value):
            return f"{value!r} is not an ISO 8601 date and time with an offset"
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"{value!r} is not a real date and time"
        return None
    if type_name == "Edm.Date":
        try:
            ok = bool(_DATE.match(value)) and dt.date.fromisoformat(value) is not None
        except ValueError:
            ok = False
        return None if ok else f"{value!r} is not an ISO 8601 date"
    if type_name == "Edm.TimeOfDay":
        return None if _TIME.match(value) else f"{value!r} is not a time of day"
    if type_name == "Edm.Duration":
        return None if _DURATION.match(value) else f"{value!r} is not an ISO 8601 duration"
    if type_name == "Edm.Guid":
        return None if _GUID.match(value) else f"{value!r} is not a GUID"
    if type_name == "Edm.Binary":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return f"{value!r} is not base64"
        return None
    if type_name == "Edm.Stream":
        return "a stream is not sent inside JSON"
    return f"{type_name} is not a type this checker knows"
