"""How a row becomes a domain value object: the columns named like its fields, copied as they are,
and the few that need a conversion (an enum, an id type, a flag kept as a time) given by the caller."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

Value = TypeVar("Value")


def from_row(row: object, value_type: type[Value], **converted: Any) -> Value:
    """A ``value_type`` (a dataclass) from ``row``: each field the row has a column of the same name for,
    as stored, except those ``converted`` gives. A field with neither keeps its default."""
    names = {field.name for field in dataclasses.fields(value_type)}  # type: ignore[arg-type]
    copied = {name: getattr(row, name) for name in names - converted.keys() if hasattr(row, name)}
    return value_type(**copied, **converted)
