"""Contacts, events (a calendar view) and To Do tasks, and the mailbox's category list.

Writes are checked against the metadata like answers are: a body with a property the type does not
declare, or a value of the wrong kind, is refused with 400, as Graph refuses it. The CRM id rides in a
single-value extended property on contacts and events (read back with ``$expand``), and in a linked
resource (``externalId``) on To Do tasks, which have no extended properties.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from .protocol import Answer, GraphError, Request, not_found, selected
from .store import Container, Mailbox, Record

MANAGED = frozenset({"id", "changeKey", "createdDateTime", "lastModifiedDateTime", "bodyLastModifiedDateTime"})
CONTAINER_TYPES = {"contactFolder": "contactFolder", "calendar": "calendar", "todoTaskList": "todoTaskList"}


def route(request: Request) -> Answer | None:
    mailbox, method, rest = request.mailbox, request.method, request.rest
    match (method, rest):
        case ("GET", ["contactFolders"]):
            return _containers(mailbox, "contactFolder")
        case ("GET", ["contactFolders", folder]):  # an id, or the well-known name of the default folder
            found = _container(mailbox, "contactFolder", None if folder == "contacts" else folder)
            return 200, {}, selected(_container_resource(found), request.select), "entity:contactFolder"
        case ("GET", ["contactFolders", folder, "contacts", "delta"]):
            container = _container(mailbox, "contactFolder", folder)
            return request.delta(container.id, lambda i: _resource(mailbox, i, ""), "contact")
        case ("POST", ["contacts"]) | ("POST", ["contactFolders", _, "contacts"]):
            folder = rest[1] if len(rest) == 3 else None
            return _create(request, _container(mailbox, "contactFolder", folder), "contact")
        case (_, ["contacts", item_id]):
            return _item(request, item_id, "contact")
        case ("GET", ["calendarView", "delta"]):
            return _calendar_view(request)
        case ("POST", ["events"]) | ("POST", ["calendars", _, "events"]):
            calendar = rest[1] if len(rest) == 3 else None
            return _create(request, _container(mailbox, "calendar", calendar), "event")
        case (_, ["events", item_id]):
            return _item(request, item_id, "event")
        case ("GET", ["todo", "lists"]):
            return _containers(mailbox, "todoTaskList")
        case ("GET", ["todo", "lists", task_list, "tasks", "delta"]):
            container = _container(mailbox, "todoTaskList", task_list)
            return request.delta(container.id, lambda i: _resource(mailbox, i, ""), "todoTask")
        case ("POST", ["todo", "lists", task_list, "tasks"]):
            return _create(request, _container(mailbox, "todoTaskList", task_list), "todoTask")
        case (_, ["todo", "lists", _, "tasks", item_id]):
            return _item(request, item_id, "todoTask")
        case ("GET", ["outlook", "masterCategories"]):
            return 200, {}, {"value": list(mailbox.categories)}, "collection:outlookCategory"
        case ("POST", ["outlook", "masterCategories"]):
            return _add_category(request)
    return None


def _containers(mailbox: Mailbox, kind: str) -> Answer:
    found = [_container_resource(c) for c in mailbox.containers.values() if c.kind == kind]
    return 200, {}, {"value": found}, f"collection:{CONTAINER_TYPES[kind]}"


def _container_resource(container: Container) -> dict[str, Any]:
    if container.kind == "todoTaskList":
        return {"id": container.id, "displayName": container.display_name, "isOwner": True, "isShared": False,
                "wellknownListName": "defaultList" if container.default else "none"}  # fmt: skip
    if container.kind == "calendar":
        return {"id": container.id, "name": container.display_name, "isDefaultCalendar": container.default}
    return {"id": container.id, "displayName": container.display_name, "parentFolderId": None}


def _container(mailbox: Mailbox, kind: str, name: str | None) -> Container:
    found = mailbox.container(kind, name)
    if found is None:
        raise not_found()
    return found


def _resource(mailbox: Mailbox, item_id: str, expand: str) -> dict[str, Any] | None:
    record = mailbox.records.get(item_id)
    return None if record is None else record.resource(expand)


def _record(mailbox: Mailbox, item_id: str, kind: str) -> Record:
    record = mailbox.records.get(item_id)
    if record is None or record.kind != kind:
        raise not_found()
    return record


def _accept(
    request: Request, kind: str, data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    """The body's fields, extended properties and linked resources, refused as Graph would if wrong."""
    data = dict(data)
    extended_in = data.pop("singleValueExtendedProperties", [])
    linked_in = data.pop("linkedResources", []) if kind == "todoTask" else []
    schema = request.server.schema
    problems = [f"{name}: set by the server" for name in data if name in MANAGED]
    problems += schema.check(kind, {"id": "x", **{k: v for k, v in data.items() if k not in MANAGED}})
    extended: dict[str, str] = {}
    for entry in extended_in if isinstance(extended_in, list) else [None]:
        found = schema.check("singleValueLegacyExtendedProperty", entry)
        if found or not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or "value" not in entry:
            problems.append(f"singleValueExtendedProperties: {entry!r} is not an extended property")
        else:
            extended[entry["id"]] = str(entry["value"])
    linked: list[dict[str, Any]] = []
    for entry in linked_in if isinstance(linked_in, list) else [None]:
        candidate = {"id": secrets.token_hex(8), **entry} if isinstance(entry, dict) else entry
        found = schema.check("linkedResource", candidate)
        problems += found if found else []
        if not found and isinstance(candidate, dict):
            linked.append(candidate)
    if kind == "event" and ("start" not in data or "end" not in data) and request.method == "POST":
        problems.append("an event needs a start and an end")
    if problems:
        raise GraphError(400, "ErrorInvalidRequest", f"Invalid {kind}: {'; '.join(problems[:5])}")
    return data, extended, linked


def _create(request: Request, container: Container, kind: str) -> Answer:
    data, extended, linked = _accept(request, kind, request.json_body())
    store = request.server.store
    record = store.add_record(request.mailbox, container, kind, data)
    record.extended.update(extended)
    record.linked.extend(linked)
    return 201, {}, record.resource(request.query.get("$expand", "")), f"entity:{kind}"


def _item(request: Request, item_id: str, kind: str) -> Answer:
    mailbox, store = request.mailbox, request.server.store
    record = _record(mailbox, item_id, kind)
    expand = request.query.get("$expand", "")
    if request.method == "GET":
        return 200, {}, selected(record.resource(expand), request.select), f"entity:{kind}"
    if request.method == "PATCH":
        condition = request.headers.get("if-match")
        if condition and condition not in ("*", record.resource()["@odata.etag"]):
            raise GraphError(412, "ErrorIrresolvableConflict", "The change key passed in the request does not "
                             "match the current change key for the item.")  # fmt: skip
        data, extended, linked = _accept(request, kind, request.json_body())
        record.extended.update(extended)
        record.linked.extend(linked)
        store.update_record(mailbox, record, data)
        return 200, {}, record.resource(expand), f"entity:{kind}"
    if request.method == "DELETE":
        store.delete_record(mailbox, record)
        return 204, {}, None, None
    raise GraphError(405, "MethodNotAllowed", f"{request.method} is not allowed here.")


def _calendar_view(request: Request) -> Answer:
    window = {k: request.query[k] for k in ("startDateTime", "endDateTime") if k in request.query}
    if len(window) != 2 and "$skiptoken" not in request.query and "$deltatoken" not in request.query:
        raise GraphError(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required.")
    try:
        start, end = (_moment(window[k]) for k in ("startDateTime", "endDateTime")) if window else (None, None)
    except ValueError:
        raise GraphError(400, "ErrorInvalidParameter", "startDateTime and endDateTime must be ISO 8601.") from None
    mailbox = request.mailbox
    calendar = _container(mailbox, "calendar", None)

    def in_window(item_id: str) -> dict[str, Any] | None:
        found = _resource(mailbox, item_id, "")
        if found is None or start is None or end is None:
            return found
        begins, finishes = _moment(found["start"]["dateTime"]), _moment(found["end"]["dateTime"])
        return found if begins < end and finishes > start else None

    return request.delta(calendar.id, in_window, "event", extra=window)


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _add_category(request: Request) -> Answer:
    body = request.json_body()
    candidate = {"id": secrets.token_hex(8), **body}
    problems = request.server.schema.check("outlookCategory", candidate)
    if problems or not isinstance(body.get("displayName"), str):
        raise GraphError(400, "ErrorInvalidRequest", f"Invalid category: {problems}")
    if any(c["displayName"].lower() == body["displayName"].lower() for c in request.mailbox.categories):
        raise GraphError(409, "ErrorDuplicateCategory", "A category with this name exists already.")
    request.mailbox.categories.append(candidate)
    return 201, {}, candidate, "entity:outlookCategory"
