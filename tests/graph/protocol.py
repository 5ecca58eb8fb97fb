"""What every route of the Graph test server shares: errors, the request, paging and delta links."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .store import DeltaTokenGone, graph_time

if TYPE_CHECKING:
    from .server import GraphServer
    from .store import Mailbox

DEFAULT_PAGE = 10
Answer = tuple[int, dict[str, str], Any, str | None]  # status, headers, body, the JSON's type for checking
NOT_FOUND = "The specified object was not found in the store."


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", NOT_FOUND)


def error_body(code: str, message: str) -> dict[str, Any]:
    stamp = graph_time(dt.datetime.now(dt.UTC))
    inner = {"date": stamp, "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}
    return {"error": {"code": code, "message": message, "innerError": inner}}


@dataclass(slots=True)
class Request:
    """One request to a mailbox: ``rest`` is the path after ``/users/{id}``."""

    server: GraphServer
    mailbox: Mailbox
    method: str
    rest: list[str]
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    target: str

    @property
    def select(self) -> str | None:
        return self.query.get("$select")

    def json_body(self) -> dict[str, Any]:
        try:
            found = json.loads(self.body or b"{}")
        except ValueError:
            raise GraphError(400, "BadRequest", "The request body is not JSON.") from None
        if not isinstance(found, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        return found

    def link(self, params: dict[str, str]) -> str:
        path = self.target.split("?")[0]
        return f"{self.server.url.removesuffix('/v1.0')}{path}?{urllib.parse.urlencode(params)}"

    def delta(self, container_id: str, resource: Any, type_name: str, extra: dict[str, str] | None = None) -> Answer:
        """A page of a delta round over one container; ``resource(id)`` is an item's JSON or None if gone.

        ``extra`` are the query parameters the next and delta links carry (a calendar view's window)."""
        store = self.server.store
        page_size = max_page_size(self.headers.get("prefer", ""))
        if "$skiptoken" in self.query:
            since, offset, upto = read_skip(self.query["$skiptoken"])
        else:
            since = 0
            if "$deltatoken" in self.query:
                try:
                    since = store.read_delta_token(self.query["$deltatoken"], container_id)
                except DeltaTokenGone:
                    raise GraphError(410, "SyncStateNotFound", "The sync state is no longer valid.") from None
                except ValueError:
                    raise GraphError(400, "BadRequest", "The delta token is malformed.") from None
            offset, upto = 0, self.mailbox.position()
        changes = store.changes(self.mailbox, container_id, since, upto)
        items: list[dict[str, Any]] = []
        for item_id, removed in changes[offset : offset + page_size]:
            found = None if removed else resource(item_id)
            if found is None and since == 0:
                continue  # a first round tells what is there (a calendar view: what is in its window)
            items.append(
                {"id": item_id, "@removed": {"reason": "deleted"}} if found is None else selected(found, self.select)
            )
        keep = {**(extra or {}), **({"$select": self.select} if self.select else {})}
        if offset + page_size < len(changes):
            link = {"@odata.nextLink": self.link({**keep, "$skiptoken": skip(since, offset + page_size, upto)})}
        else:
            link = {"@odata.deltaLink": self.link({**keep, "$deltatoken": store.delta_token(container_id, upto)})}
        return 200, preference(self.headers), {"value": items, **link}, f"collection:{type_name}"


def selected(resource: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return resource
    wanted = {name.strip() for name in select.split(",")} | {"id"}
    return {k: v for k, v in resource.items() if k in wanted}


def max_page_size(prefer: str) -> int:
    for part in prefer.split(","):
        name, _, value = part.strip().partition("=")
        if name == "odata.maxpagesize" and value.isdigit():
            return max(1, min(int(value), 1000))
    return DEFAULT_PAGE


def preference(headers: dict[str, str]) -> dict[str, str]:
    wanted = ("odata.maxpagesize", "IdType")
    applied = [p.strip() for p in headers.get("prefer", "").split(",") if p.strip().startswith(wanted)]
    return {"Preference-Applied": ", ".join(applied)} if applied else {}


def skip(since: int, offset: int, upto: int) -> str:
    return base64.urlsafe_b64encode(f"{since}:{offset}:{upto}".encode()).decode().rstrip("=")


def read_skip(token: str) -> tuple[int, int, int]:
    try:
        since, offset, upto = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
        return int(since), int(offset), int(upto)
    except (ValueError, UnicodeDecodeError):
        raise GraphError(400, "BadRequest", "The skip token is malformed.") from None
