"""Hostile XML in the router's files: generated DOCTYPEs with entity declarations, billion-laughs shapes
and external entities are refused with a clear error naming the file, and nothing is ever expanded
or fetched (a loopback HTTP server stands where the external entities point, and must hear nothing)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from migration.router_samples import sample_text

from desktop_sync.adapters.email_router_files import (
    check_encryption_key,
    parse_agent_config,
    parse_system_state,
    read_router_files,
)
from desktop_sync.domain.email_router import AGENT_FILE, KEY_FILE, STATE_FILE, RouterFileError
from desktop_sync.domain.migration_texts import MIGRATION_TEXTS

MARKER = "EXPANDED"  # in every entity's value: seen anywhere, something was expanded
REFUSED = (MIGRATION_TEXTS["doctype_refused"], MIGRATION_TEXTS["entity_refused"])

Parser = Callable[[bytes, str], object]
PARSERS: dict[str, Parser] = {
    AGENT_FILE: parse_agent_config,
    STATE_FILE: parse_system_state,
    KEY_FILE: check_encryption_key,
}


class _Requests(BaseHTTPRequestHandler):
    heard: list[str]

    def do_GET(self) -> None:
        self.heard.append(self.path)
        body = f'<!ENTITY remote "{MARKER}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the test reads `heard`, not stderr
        pass


@contextmanager
def listening_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server on a free port: its base URL and the paths it was asked for."""
    heard: list[str] = []
    handler = type("Handler", (_Requests,), {"heard": heard})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", heard
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Hostile:
    doctype: str  # what goes after the XML declaration
    reference: str  # what goes into an element's text: an entity reference, or nothing


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True)


@st.composite
def internal_entities(draw: st.DrawFn, url: str) -> Hostile:
    """A DOCTYPE whose internal subset declares general, parameter, nested (billion laughs) or external entities."""
    root = draw(st.sampled_from(["Configuration", "SystemState", "EncryptionKey", "x"]) | NAMES)
    kind = draw(st.sampled_from(["plain", "laughs", "quadratic", "external", "public", "parameter", "unparsed"]))
    name = draw(NAMES)
    path = draw(st.from_regex(r"/[a-z0-9]{1,10}", fullmatch=True))
    if kind == "plain":
        subset, reference = f'<!ENTITY {name} "{MARKER}">', f"&{name};"
    elif kind == "laughs":
        depth = draw(st.integers(2, 10))
        width = draw(st.integers(2, 10))
        subset = f'<!ENTITY {name}0 "{MARKER}">' + "".join(
            f'<!ENTITY {name}{level} "{f"&{name}{level - 1};" * width}">' for level in range(1, depth)
        )
        reference = f"&{name}{depth - 1};"
    elif kind == "quadratic":
        subset = f'<!ENTITY {name} "{MARKER * draw(st.integers(1, 2000))}">'
        reference = f"&{name};" * draw(st.integers(1, 200))
    elif kind == "external":
        subset, reference = f'<!ENTITY {name} SYSTEM "{url}{path}">', f"&{name};"
    elif kind == "public":
        subset, reference = f'<!ENTITY {name} PUBLIC "-//Hostile//{name}//EN" "{url}{path}">', f"&{name};"
    elif kind == "parameter":
        subset, reference = f'<!ENTITY % {name} SYSTEM "{url}{path}"> %{name};', ""
    else:
        subset, reference = f'<!NOTATION n SYSTEM "{url}/n"><!ENTITY {name} SYSTEM "{url}{path}" NDATA n>', ""
    space = draw(st.sampled_from([" ", "\n", "\t", "  \r\n"]))
    return Hostile(f"<!DOCTYPE{space}{root}{space}[{subset}]>", reference)


@st.composite
def external_dtds(draw: st.DrawFn, url: str) -> Hostile:
    """A DOCTYPE that names an external DTD, with or without an internal subset."""
    root = draw(NAMES)
    path = draw(st.from_regex(r"/[a-z0-9]{1,10}\.dtd", fullmatch=True))
    external = draw(st.sampled_from([f'SYSTEM "{url}{path}"', f'PUBLIC "-//Hostile//DTD//EN" "{url}{path}"']))
    subset = draw(st.sampled_from(["", f' [<!ENTITY e "{MARKER}">]']))
    return Hostile(f"<!DOCTYPE {root} {external}{subset}>", "&e;" if subset else "")


def hostile(url: str) -> st.SearchStrategy[Hostile]:
    return st.one_of(internal_entities(url), external_dtds(url))


def planted(text: str, attack: Hostile, encoding: str) -> bytes:
    """The file with the DOCTYPE after its XML declaration and the reference inside its first element."""
    head, rest = text.split("?>", 1)
    root = re.search(r"<[A-Za-z_]", rest)
    assert root is not None
    root_end = rest.index(">", root.start()) + 1
    document = head + "?>\n" + attack.doctype + "\n" + rest[:root_end] + attack.reference + rest[root_end:]
    if encoding == "utf-16":
        document = document.replace('encoding="utf-8"', 'encoding="utf-16"')
    return document.encode(encoding)


SAMPLES = {name: sample_text(name) for name in PARSERS}


def test_samples_have_an_xml_declaration_to_plant_after() -> None:
    for text in SAMPLES.values():
        assert text.lstrip("\ufeff").startswith("<?xml")


def test_generated_hostile_declarations_are_refused_and_never_expanded() -> None:
    with listening_server() as (url, heard):  # one server for every example: where the external entities point

        @settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            attack=hostile(url), file=st.sampled_from(sorted(PARSERS)), encoding=st.sampled_from(["utf-8", "utf-16"])
        )
        def refused(attack: Hostile, file: str, encoding: str) -> None:
            source = f"/routers/one/{file}"
            with pytest.raises(RouterFileError) as info:
                PARSERS[file](planted(SAMPLES[file], attack, encoding), source)
            error = info.value
            assert error.path == source and error.problem in REFUSED  # a clear error naming the file
            assert "refused for safety" in error.message and "\n" not in error.message
            assert MARKER not in error.message  # nothing was expanded into it
            assert heard == []  # no external entity or DTD was fetched

        refused()
    assert heard == []


def test_a_whole_router_with_a_billion_laughs_is_refused_naming_the_file(tmp_path: Path) -> None:
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    attack = Hostile(f"<!DOCTYPE Configuration [{laughs}]>", "&l9;")
    router = tmp_path / "router"
    router.mkdir()
    for name, text in SAMPLES.items():
        (router / name).write_bytes(planted(text, attack, "utf-8") if name == AGENT_FILE else text.encode())
    with pytest.raises(RouterFileError) as info:
        read_router_files([router])
    assert info.value.path == str(router / AGENT_FILE)
    assert info.value.problem == MIGRATION_TEXTS["doctype_refused"]
