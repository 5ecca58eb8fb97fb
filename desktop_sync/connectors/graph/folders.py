"""A mailbox's mail folders as Graph lists them: one ``mailFolders/delta`` round (every folder, flat,
each with its parent) and the ids of the well-known folders in one ``$batch``, named as paths from the
top ("INBOX/Customers") like the other connectors name them. A folder keeps its id through a rename
or a move, so tracked folders follow it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop_sync.connectors.graph.answers import BatchRequest
from desktop_sync.connectors.graph.client import GraphClient
from desktop_sync.domain.folders import ServerFolder, folder_paths

DELIMITER = "/"
WELL_KNOWN = {  # Graph's well-known folder names, and the special use each has in our folder lists
    "inbox": None,
    "sentitems": "\\Sent",
    "deleteditems": "\\Trash",
    "junkemail": "\\Junk",
    "drafts": "\\Drafts",
    "archive": "\\Archive",
}


@dataclass(frozen=True, slots=True)
class FolderRow:
    id: str
    name: str
    parent_id: str | None


class FolderTree:
    """The folders by id, each with its path from the top of the mailbox."""

    def __init__(self, rows: Mapping[str, FolderRow], well_known: Mapping[str, str]) -> None:
        self.rows = dict(rows)
        self.well_known = dict(well_known)  # "inbox" -> id
        self.inbox_id = self.well_known.get("inbox")
        # a "/" in a name would read as a level of the path: it is shown as a space
        named = {i: (row.name.replace(DELIMITER, " "), row.parent_id) for i, row in self.rows.items()}
        self._paths = folder_paths(named, self.inbox_id, DELIMITER)
        self._by_path = {path: folder_id for folder_id, path in self._paths.items()}

    def id_of(self, name: str) -> str | None:
        return self._by_path.get(name)

    def name_of(self, folder_id: str | None) -> str | None:
        return self._paths.get(folder_id) if folder_id else None

    def server_folders(self) -> list[ServerFolder]:
        special = {folder_id: WELL_KNOWN[name] for name, folder_id in self.well_known.items()}
        found = [ServerFolder(i, path, DELIMITER, special.get(i)) for i, path in self._paths.items()]
        return sorted(found, key=lambda f: f.name.lower())


async def read_tree(client: GraphClient, page_size: int = 200) -> FolderTree:
    """Every mail folder (one delta round, from the start) and the well-known ones' ids (one batch)."""
    rows: dict[str, FolderRow] = {}
    params = {"$select": "id,displayName,parentFolderId"}
    async for page in client.delta("mailFolders/delta", params, page_size=page_size):
        for item in page.items:
            if "@removed" in item:
                rows.pop(item["id"], None)
                continue
            name, parent = item.get("displayName"), item.get("parentFolderId")
            rows[item["id"]] = FolderRow(
                item["id"], name if isinstance(name, str) else "", parent if isinstance(parent, str) else None
            )
    asked = [BatchRequest(name, "GET", f"mailFolders/{name}?$select=id") for name in WELL_KNOWN]
    answers = await client.batch(asked)
    well_known = {}
    for name, answer in answers.items():
        body = answer.body
        if answer.ok and isinstance(body, dict) and isinstance(body.get("id"), str):
            well_known[name] = body["id"]
    return FolderTree(rows, well_known)
