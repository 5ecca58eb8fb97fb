"""The E-mail Router's three files read from a folder into the domain's values, refusing hostile XML.

The files come from another machine and are outside input: they are parsed with defusedxml, which
refuses any DOCTYPE (so no entity is declared, expanded or fetched: no billion laughs, no external
entity), before anything is read from them. Sizes are checked before anything is parsed. Every
refusal is a RouterFileError naming the file. The encryption key is checked to be there and
well-formed, and dropped at once: its content is a secret.

What the values mean, and the rules that merge them into profiles, are in ``desktop_sync.domain.email_router``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.parsers.expat import errors

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from desktop_sync.domain.email_router.files import (
    KEY_FILE,
    MAX_ROUTERS,
    MAX_TOTAL_BYTES,
    ROUTER_FILES,
    STATE_FILE,
    AgentConfig,
    Provider,
    RouterFileError,
    RouterFiles,
    Setting,
    StateRecord,
    clean_profile_name,
    size_text,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import migration_text

# --- safe XML --------------------------------------------------------------------------------------


class _LineRecorder(ET.TreeBuilder):
    """Builds the tree and notes the line of each child of the root, for messages that name it."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: list[int] = []
        self._depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self._depth += 1
        if self._depth == 2 and self.parser is not None:
            self.lines.append(self.parser.parser.CurrentLineNumber)
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self._depth -= 1
        return super().end(tag)


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _parse_xml(data: bytes, source: str) -> tuple[ET.Element, list[int]]:
    """Parse ``data`` with defusedxml, refusing DTDs, entity declarations and external references;
    also the line of each child of the root.

    Raises RouterFileError naming ``source`` for an empty, refused or malformed document.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise RouterFileError(source, migration_text("file_empty"))
    builder = _LineRecorder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise RouterFileError(source, migration_text("doctype_refused")) from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise RouterFileError(source, migration_text("entity_refused")) from None
    except ET.ParseError as exc:
        line, offset = exc.position
        reason = errors.messages.get(exc.code, str(exc))
        raise RouterFileError(
            source, migration_text("not_well_formed", reason=reason, line=line, column=offset + 1)
        ) from None
    return root, builder.lines


def _text(element: ET.Element) -> str:
    if len(element):
        return " ".join(t.strip() for t in element.itertext() if t.strip())
    return (element.text or "").strip()


# --- EmailAgent.xml ----------------------------------------------------------------------------------

# SystemConfiguration children documented in S1/S2 (lower-case; ProviderOverrides children qualified).
_SYSTEM_SETTINGS = {
    "maxthreads",
    "maxthreadexecution",
    "schedulingperiod",
    "configrefreshperiod",
    "configupdateperiod",
    "loglevel",
    "logfile",
    "provideroverrides/cachecapacity",
    "provideroverrides/pendingstatusdelay",
    "provideroverrides/sendingstatusdelay",
    "provideroverrides/maximumdeliveryattempts",
    "provideroverrides/ewsretrievemessagecount",
    "provideroverrides/batchsize",
    "provideroverrides/requestbatchsize",
    "provideroverrides/messageexpiry",
    "provideroverrides/maxmessagecount",
}

# ProviderConfiguration children we read, lower-case -> Provider attribute. Single-valued.
_PROVIDER_FIELDS = {
    "providerclass": "provider_class",
    "providerassembly": "assembly",
    "crmserverurl": "crm_server_url",
    "emailserverurl": "server_url",
    "emailauthmode": "auth_mode",
    "emailaddress": "email_address",
    "emailuser": "email_user",
    "emailusessl": "use_ssl",
    "isforwardmailbox": "is_forward_mailbox",
    "deleteemails": "delete_emails",
    "profilename": "profile_name",
}
# Known and deliberately unused: how the router signed in to the CRM has no counterpart here.
_PROVIDER_IGNORED = {"crmauthmode"}


def parse_agent_config(data: bytes, source: str) -> AgentConfig:
    """Read ``Microsoft.Crm.Tools.EmailAgent.xml``. Raises RouterFileError naming ``source``."""
    root, lines = _parse_xml(data, source)
    if _local(root.tag).lower() != "configuration":
        raise RouterFileError(
            source, migration_text("root_not_configuration", element=_local(root.tag))
        )
    for child, line in zip(root, lines, strict=True):
        for inner in child.iter():
            if inner is not child and _local(inner.tag).lower() == "providerconfiguration":
                raise RouterFileError(
                    source,
                    migration_text("nested_provider", element=_local(child.tag), line=line),
                )
    providers: list[Provider] = []
    settings: list[Setting] = []
    unknown_settings: list[Setting] = []
    notes: list[str] = []
    system_count = 0
    for child, line in zip(root, lines, strict=True):
        name = _local(child.tag).lower()
        if name == "providerconfiguration":
            providers.append(_provider(child, f"{source}, line {line}"))
        elif name == "systemconfiguration":
            system_count += 1
            for setting, known in _system_settings(child):
                (settings if known else unknown_settings).append(setting)
        else:
            unknown_settings.append(Setting(_local(child.tag), _text(child)))
    if system_count == 0:
        notes.append(migration_text("no_system_configuration", source=source))
    elif system_count > 1:
        notes.append(migration_text("several_system_configurations", source=source, count=system_count))
    return AgentConfig(source, tuple(providers), tuple(settings), tuple(unknown_settings), tuple(notes))


def _system_settings(element: ET.Element, prefix: str = "") -> Iterable[tuple[Setting, bool]]:
    for child in element:
        name = prefix + _local(child.tag)
        if len(child) and name.lower() == "provideroverrides":
            yield from _system_settings(child, name + "/")
        else:
            yield Setting(name, _text(child)), name.lower() in _SYSTEM_SETTINGS


def _provider(element: ET.Element, source: str) -> Provider:
    values: dict[str, str] = {}
    user_ids: list[str] = []
    queue_ids: list[str] = []
    unknown: list[Setting] = []
    problems: list[str] = []
    has_password = False
    for child in element:
        name = _local(child.tag)
        key = name.lower()
        value = _text(child)
        if key == "userid":
            user_ids.append(value)
        elif key == "queueid":
            queue_ids.append(value)
        elif key == "emailpassword":
            has_password = has_password or bool(value)  # the (encrypted) value is never kept
        elif key in _PROVIDER_FIELDS:
            attribute = _PROVIDER_FIELDS[key]
            if attribute in values and values[attribute].lower() != value.lower():
                problems.append(
                    migration_text("two_values", element=name, first=repr(values[attribute]), second=repr(value))
                )
                continue
            values[attribute] = value
        elif key not in _PROVIDER_IGNORED:
            unknown.append(Setting(name, value))
    return Provider(
        source=source,
        provider_class=values.get("provider_class") or None,
        assembly=values.get("assembly") or None,
        crm_server_url=values.get("crm_server_url") or None,
        server_url=values.get("server_url") or None,
        auth_mode=values.get("auth_mode") or None,
        email_address=values.get("email_address") or None,
        email_user=values.get("email_user") or None,
        has_password=has_password,
        use_ssl=values.get("use_ssl") or None,
        is_forward_mailbox=values.get("is_forward_mailbox") or None,
        delete_emails=values.get("delete_emails") or None,
        profile_name=clean_profile_name(values.get("profile_name", "")),
        user_ids=tuple(user_ids),
        queue_ids=tuple(queue_ids),
        unknown=tuple(unknown),
        problems=tuple(problems),
    )


# --- SystemState.xml and EncryptionKey.xml ----------------------------------------------------------

_THRESHOLD = re.compile(r"<\s*(?:[\w.-]+:)?thresholddate(?:time)?\b[^>]*>\s*([^<]*?)\s*<", re.IGNORECASE)


def parse_system_state(data: bytes, source: str) -> tuple[StateRecord, ...]:
    """Read SystemState.xml (layout inferred): ThresholdDate per provider, found case-insensitively,
    as an element or inside escaped XML text, and keyed by the address or identity beside it."""
    root, _lines = _parse_xml(data, source)
    records: list[StateRecord] = []
    for element in root.iter():
        children = {_local(c.tag).lower(): c for c in element}
        if "emailaddress" not in children and "identityhash" not in children:
            continue
        address = _text(children["emailaddress"]) if "emailaddress" in children else None
        identity = _text(children["identityhash"]) if "identityhash" in children else None
        raw = None
        for inner in element.iter():
            if _local(inner.tag).lower() in ("thresholddate", "thresholddatetime"):
                raw = _text(inner)
                break
            match = _THRESHOLD.search(html.unescape(inner.text or ""))
            if match:
                raw = match.group(1)
                break
        records.append(StateRecord(address or None, identity or None, _threshold(raw), raw))
    return tuple(records)


def _threshold(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.year <= 1:  # the "unset" value a faulty upgrade leaves (KB 2491350)
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def check_encryption_key(data: bytes, source: str) -> None:
    """EncryptionKey.xml must be there and well-formed; its content is a secret and is not kept."""
    _parse_xml(data, source)


# --- the folders -----------------------------------------------------------------------------------


def read_router_files(paths: Sequence[str | Path]) -> list[RouterFiles]:
    """Read the three files of each router directory. One RouterFileError names the first bad file.

    Sizes are checked before anything is parsed, so an oversized set is refused at once.
    """
    if not paths:
        raise ValidationError.single("routers", migration_text("no_folder_given"))
    if len(paths) > MAX_ROUTERS:
        raise ValidationError.single("routers", migration_text("too_many_routers", limit=MAX_ROUTERS, count=len(paths)))
    located: list[tuple[Path, list[tuple[Path, int]]]] = []
    seen: set[Path] = set()
    total = 0
    for raw in paths:
        directory = Path(raw).expanduser()
        if not directory.exists():
            raise RouterFileError(str(directory), migration_text("no_such_folder"))
        if not directory.is_dir():
            raise RouterFileError(str(directory), migration_text("not_a_folder"))
        resolved = directory.resolve()
        if resolved in seen:
            raise RouterFileError(str(directory), migration_text("router_twice"))
        seen.add(resolved)
        try:
            entries = [p for p in directory.iterdir() if p.is_file()]
        except OSError as exc:
            raise RouterFileError(str(directory), migration_text("unreadable", reason=exc.strerror)) from exc
        files: list[tuple[Path, int]] = []
        for name in ROUTER_FILES:
            matches = sorted(p for p in entries if p.name.lower() == name.lower())
            if not matches:
                raise RouterFileError(
                    str(directory / name), migration_text("file_missing", files=", ".join(ROUTER_FILES))
                )
            if len(matches) > 1:
                raise RouterFileError(str(matches[1]), migration_text("case_twins", name=name))
            path = matches[0]
            size = path.stat().st_size
            if size == 0:
                raise RouterFileError(str(path), migration_text("file_empty"))
            total += size
            if size > MAX_TOTAL_BYTES:
                raise RouterFileError(
                    str(path), migration_text("file_too_large", size=size_text(size), limit=size_text(MAX_TOTAL_BYTES))
                )
            if total > MAX_TOTAL_BYTES:
                raise RouterFileError(
                    str(path),
                    migration_text("files_too_large", size=size_text(total), limit=size_text(MAX_TOTAL_BYTES)),
                )
            files.append((path, size))
        located.append((directory, files))

    routers: list[RouterFiles] = []
    for directory, files in located:
        contents: dict[str, bytes] = {}
        for path, _found in files:
            try:
                with path.open("rb") as handle:
                    data = handle.read(MAX_TOTAL_BYTES + 1)
            except OSError as exc:
                raise RouterFileError(str(path), migration_text("unreadable", reason=exc.strerror)) from exc
            if len(data) > MAX_TOTAL_BYTES:
                raise RouterFileError(str(path), migration_text("read_too_large", limit=size_text(MAX_TOTAL_BYTES)))
            contents[path.name.lower()] = data
        agent_path, state_path, key_path = (path for path, _ in files)
        # the key only has to be there and well-formed; it is a secret, so it is dropped at once
        check_encryption_key(contents.pop(KEY_FILE.lower()), str(key_path))
        state = parse_system_state(contents.pop(STATE_FILE.lower()), str(state_path))
        agent = parse_agent_config(contents.pop(agent_path.name.lower()), str(agent_path))
        sizes = tuple((path.name, size) for path, size in files)
        routers.append(RouterFiles(str(directory), agent, state, sizes))
    return routers
