"""FindItem and FindFolder restrictions and sort orders: the comparable values of an item's fields, and
how ``t:Restriction`` and ``t:SortOrder`` judge them (dates as dates, numbers as numbers, text ignoring case).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from lxml import etree

from .. import soap
from ..fields import (
    ITEM_TYPES,
    field_name,
)
from ..mime import recipient_addresses
from ..soap import T, local
from ..store import Item
from .request import q, unsupported


def item_values(item: Item, name: str) -> list[str]:
    """The comparable values of one field of an item, for restrictions and sorting."""
    item.ensure_parsed({name})
    if name == "ItemId":
        return [item.id]
    if name == "ParentFolderId":
        return [item.folder.id]
    if name in ("DateTimeReceived", "DateTimeCreated", "LastModifiedTime"):
        value = {"DateTimeReceived": item.received, "DateTimeCreated": item.created, "LastModifiedTime": item.modified}
        return [soap.format_datetime(value[name])]
    if name == "ItemClass" and name not in item.props:
        return [ITEM_TYPES.get(item.tag, ITEM_TYPES["Item"])[1]]
    if name == "IsRead" and name not in item.props:
        return ["false"]
    element = item.props.get(name)
    if element is None:
        return []
    if name == "Categories":
        return [s.text or "" for s in element]
    if len(element) and element.find(f".//{q(T, 'EmailAddress')}") is not None:
        return [address for _, address in recipient_addresses(element)]
    return ["".join(element.itertext())]


def _constant(node: etree._Element) -> str | None:
    constant = node.find(f"{q(T, 'FieldURIOrConstant')}/{q(T, 'Constant')}")
    return None if constant is None else constant.get("Value", "")


def compare(left: str, right: str) -> int:
    for parse in (_as_datetime, _as_number):
        a, b = parse(left), parse(right)
        if a is not None and b is not None:
            return (a > b) - (a < b)
    a, b = left.lower(), right.lower()
    return (a > b) - (a < b)


def _as_datetime(value: str) -> dt.datetime | None:
    if not re.match(r"^\d{4}-\d\d-\d\dT", value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _as_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


COMPARISONS = {
    "IsEqualTo": lambda c: c == 0,
    "IsNotEqualTo": lambda c: c != 0,
    "IsGreaterThan": lambda c: c > 0,
    "IsGreaterThanOrEqualTo": lambda c: c >= 0,
    "IsLessThan": lambda c: c < 0,
    "IsLessThanOrEqualTo": lambda c: c <= 0,
}


def matches(node: etree._Element, values_of: Callable[[str], list[str]]) -> bool:
    kind = local(node)
    if kind == "And":
        return all(matches(child, values_of) for child in node)
    if kind == "Or":
        return any(matches(child, values_of) for child in node)
    if kind == "Not":
        return not matches(node[0], values_of)
    path = next((child for child in node if local(child) in ("FieldURI", "IndexedFieldURI", "ExtendedFieldURI")), None)
    name = field_name(path) if path is not None else None
    values = values_of(name) if name else []
    if kind == "Exists":
        return bool(values)
    if kind in COMPARISONS:
        constant = _constant(node)
        if constant is None:
            raise unsupported("restrictions comparing two fields")
        if kind == "IsNotEqualTo" and not values:
            return True
        return any(COMPARISONS[kind](compare(value, constant)) for value in values)
    if kind == "Contains":
        constant = node.find(q(T, "Constant"))
        wanted = "" if constant is None else constant.get("Value", "")
        mode = node.get("ContainmentMode", "FullString")
        ignore_case = "IgnoreCase" in node.get("ContainmentComparison", "Exact")
        for value in values:
            a, b = (value.lower(), wanted.lower()) if ignore_case else (value, wanted)
            if (
                (mode == "FullString" and a == b)
                or (mode == "Prefixed" and a.startswith(b))
                or (mode in ("Substring", "PrefixOnWords", "ExactPhrase") and b in a)
            ):
                return True
        return False
    raise unsupported(f"the {kind} restriction")


def sorted_items(items: list[Item], sort: etree._Element | None) -> list[Item]:
    # Without a SortOrder, newest first (Exchange's default view order); ties broken by creation order.
    ordered = sorted(items, key=lambda item: (item.received, item.number), reverse=True)
    if sort is None:
        return ordered
    for order in reversed([o for o in sort if isinstance(o.tag, str)]):
        path = next((child for child in order if isinstance(child.tag, str)), None)
        name = field_name(path) if path is not None else None
        if not name:
            continue
        descending = order.get("Order") == "Descending"
        ordered.sort(key=sort_key(name), reverse=descending)
    return ordered


def sort_key(name: str) -> Callable[[Item], tuple]:
    def key(item: Item) -> tuple:
        values = item_values(item, name)
        value = values[0] if values else ""
        stamp = _as_datetime(value)
        if stamp is not None:
            return (0, stamp.timestamp(), "")
        number = _as_number(value)
        if number is not None:
            return (1, number, "")
        return (2, 0.0, value.lower())

    return key
