"""Server-side changes to contacts, events and To Do tasks, as their owner makes them in Outlook or To Do:
straight into the Graph test server's store, so each is a change the next delta round reports."""

from __future__ import annotations

from typing import Any

from .server import GraphServer
from .store import Mailbox, Record

CONTAINERS = {"contact": "contactFolder", "event": "calendar", "todoTask": "todoTaskList"}


class Outlook:
    def __init__(self, graph: GraphServer, address: str) -> None:
        self.graph = graph
        found = graph.store.mailbox(address)
        assert found is not None, f"no mailbox {address}"
        self.mailbox: Mailbox = found

    def add(self, kind: str, **data: Any) -> str:
        """A new contact, event or task in the default folder, calendar or list; its id."""
        if kind == "contact" and "displayName" not in data:  # Outlook files a contact under its name
            data["displayName"] = " ".join(str(data[n]) for n in ("givenName", "surname") if data.get(n))
        container = self.mailbox.container(CONTAINERS[kind])
        assert container is not None
        problems = self.graph.schema.check(kind, {"id": "x", **data})
        assert problems == [], problems  # what Outlook makes is what Graph can describe
        return self.graph.store.add_record(self.mailbox, container, kind, data).id

    def edit(self, item_id: str, **data: Any) -> None:
        self.graph.store.update_record(self.mailbox, self._record(item_id), data)

    def remove(self, item_id: str) -> None:
        self.graph.store.delete_record(self.mailbox, self._record(item_id))

    def get(self, item_id: str) -> dict[str, Any]:
        return self._record(item_id).resource()

    def items(self, kind: str) -> list[dict[str, Any]]:
        with self.graph.store.lock:
            return [r.resource() for r in self.mailbox.records.values() if r.kind == kind]

    def crm_id(self, resource: dict[str, Any]) -> str | None:
        """The CRM id stamped on an item: its extended property, or a To Do task's linked resource."""
        record = self._record(resource["id"])
        found = [v for k, v in record.extended.items() if k.lower().endswith("name desktopsynccrmid")]
        found += [str(r.get("externalId")) for r in record.linked]
        return found[0] if found else None

    def _record(self, item_id: str) -> Record:
        record = self.mailbox.records.get(item_id)
        assert record is not None, f"no item {item_id}"
        return record
