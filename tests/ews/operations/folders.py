"""The folder operations: GetFolder, FindFolder, CreateFolder, UpdateFolder, MoveFolder, DeleteFolder."""

from __future__ import annotations

from lxml import etree

from .. import soap
from ..soap import M, T, local, t
from ..store import Folder
from .render import render_folder
from .request import (
    Context,
    EwsError,
    each,
    error_message,
    folder_id_element,
    id_children,
    paging,
    parse_shape,
    q,
    resolve_folder,
    root_folder,
)
from .restrictions import matches


def get_folder(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "FolderShape")))

    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        message = soap.response_message("GetFolder")
        folders = etree.SubElement(message, q(M, "Folders"))
        folders.append(render_folder(folder, shape))
        return message

    return each("GetFolder", id_children(op, "FolderIds"), build)


def find_folder(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "FolderShape")))
    deep = op.get("Traversal") == "Deep"
    restriction = op.find(q(M, "Restriction"))

    def build(element: etree._Element) -> etree._Element:
        parent = resolve_folder(ctx, element)
        found = list(parent.descendants()) if deep else parent.children()
        if restriction is not None and len(restriction):
            found = [f for f in found if matches(restriction[0], lambda name, f=f: folder_values(f, name))]
        offset, limit = paging(op, "IndexedPageFolderView", len(found))
        page = found[offset : offset + limit]
        message = soap.response_message("FindFolder")
        root = root_folder(message, offset, len(page), len(found))
        folders = etree.SubElement(root, q(T, "Folders"))
        for folder in page:
            folders.append(render_folder(folder, shape))
        return message

    return each("FindFolder", id_children(op, "ParentFolderIds"), build)


def folder_values(folder: Folder, name: str) -> list[str]:
    values = {"DisplayName": folder.name, "FolderClass": folder.folder_class or "", "FolderId": folder.id}
    return [values[name]] if name in values else []


def _folder_id_message(operation: str, folder: Folder) -> etree._Element:
    """A success message naming one folder by id (what CreateFolder, UpdateFolder and MoveFolder answer)."""
    message = soap.response_message(operation)
    folders = etree.SubElement(message, q(M, "Folders"))
    holder = t(folder.tag)
    holder.append(folder_id_element(folder))
    folders.append(holder)
    return message


def create_folder(ctx: Context, op: etree._Element) -> etree._Element:
    parent_holder = op.find(q(M, "ParentFolderId"))
    try:
        parent = resolve_folder(ctx, parent_holder[0])
    except EwsError as error:
        return soap.response("CreateFolder", [error_message("CreateFolder", error)])
    messages = []
    for spec in id_children(op, "Folders"):
        name = spec.findtext(q(T, "DisplayName")) or "New Folder"
        if any(child.name == name for child in parent.children()):
            messages.append(error_message("CreateFolder", EwsError("ErrorFolderExists")))
            continue
        folder_class = spec.findtext(q(T, "FolderClass")) or {
            "CalendarFolder": "IPF.Appointment",
            "ContactsFolder": "IPF.Contact",
            "TasksFolder": "IPF.Task",
        }.get(local(spec), "IPF.Note")
        folder = ctx.store.create_folder(ctx.mailbox, parent, name, folder_class)
        messages.append(_folder_id_message("CreateFolder", folder))
    return soap.response("CreateFolder", messages)


def update_folder(ctx: Context, op: etree._Element) -> etree._Element:
    def build(change: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, change[0])
        updates = change.find(q(T, "Updates"))
        for update in updates if updates is not None else ():
            if local(update) != "SetFolderField":
                continue
            for value in update.iter(q(T, "DisplayName")):
                ctx.store.update_folder(folder, name=value.text or "")
        return _folder_id_message("UpdateFolder", folder)

    return each("UpdateFolder", id_children(op, "FolderChanges"), build)


def move_folder(ctx: Context, op: etree._Element) -> etree._Element:
    target = resolve_folder(ctx, op.find(q(M, "ToFolderId"))[0])

    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        ctx.store.update_folder(folder, parent=target)
        return _folder_id_message("MoveFolder", folder)

    return each("MoveFolder", id_children(op, "FolderIds"), build)


def delete_folder(ctx: Context, op: etree._Element) -> etree._Element:
    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        if folder.distinguished:
            raise EwsError("ErrorDeleteDistinguishedFolder")
        ctx.store.delete_folder(folder)
        return soap.response_message("DeleteFolder")

    return each("DeleteFolder", id_children(op, "FolderIds"), build)
