"""The command line's bad input: exit status 2 and exactly one line on standard error that names the
argument as the user typed it, no traceback, nothing written. Also the store it opens: ``init`` creates
a store where ``--db`` says; any other command refuses a store that does not exist, except at the
default location, which creates itself."""

from __future__ import annotations

import asyncio
import io
import json
import math
import socket
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring.backends import fail

from desktop_sync import cli
from desktop_sync.domain.messages import LEGACY_TEXT
from desktop_sync.domain.model import Alert, AlertScope, Severity
from desktop_sync.store import open_store
from desktop_sync.store.database import alembic_config, make_sync_engine, resolve_url

SETTINGS = settings(max_examples=1000, deadline=None)


def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def one_error_line(err: str) -> str:
    """The single line of a bad-input error; fails on a traceback or on more than one line."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("desktop-sync: error: "), err
    return lines[0].removeprefix("desktop-sync: error: ")


PARSER = cli.build_parser()  # the parser main() builds: generated input goes through it (quicker than main)


def refusal(*argv: str) -> str:
    """The one-line error the parser gives for ``argv`` (main prints it after "desktop-sync: error: ")."""
    with pytest.raises(cli.UsageError) as refused:
        PARSER.parse_args(list(argv))
    problem = str(refused.value)
    assert problem and len(problem.splitlines()) == 1 and problem.isprintable(), problem
    return problem


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An initialised store, named by --db as a plain path."""
    path = str(tmp_path / "crm.sqlite3")
    assert call("--db", path, "init")[0] == 0
    return path


@pytest.fixture
def no_env_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESKTOP_SYNC_DB", raising=False)


# --- init and the store's location -------------------------------------------------------------------


@pytest.mark.parametrize("form", ["path", "url"])
def test_init_creates_the_store_where_db_says_then_only_upgrades_it(tmp_path: Path, form: str) -> None:
    path = tmp_path / "new" / "crm.sqlite3"
    db = str(path) if form == "path" else f"sqlite:///{path}"
    code, out, err = call("--db", db, "init")
    assert (code, err, out) == (0, "", f"Store ready: SQLite: {path} (created).\n")
    assert call("--db", db, "user", "add", "a@example.test", "--name", "A")[0] == 0

    code, out, err = call("init", "--db", db)
    assert (code, err, out) == (0, "", f"Store ready: SQLite: {path} (existing store, schema up to date).\n")
    assert "a@example.test" in call("--db", db, "user", "list")[1]  # kept


@pytest.mark.parametrize(
    "argv",
    [
        ("mailbox", "list"),
        ("profile", "list", "--json"),
        ("user", "add", "a@example.test", "--name", "A"),
        ("engine", "run", "--once"),
        ("settings", "show"),
        ("migrate", "router", "somewhere", "--dry-run"),
    ],
)
def test_a_db_that_does_not_exist_is_named_and_not_created(tmp_path: Path, argv: tuple[str, ...]) -> None:
    path = tmp_path / "typo" / "crm.sqlite3"
    code, out, err = call("--db", str(path), *argv)
    assert (code, out) == (2, "")
    assert one_error_line(err) == (f"--db: no store at {path} (to create one there: desktop-sync --db {path} init)")
    assert not path.exists() and not path.parent.exists()


def test_the_suggested_command_is_quoted_for_the_shell(tmp_path: Path) -> None:
    path = tmp_path / "my stores" / "crm.sqlite3"
    code, _, err = call("--db", f"sqlite:///{path}", "mailbox", "list")
    assert code == 2
    assert one_error_line(err).endswith(f"(to create one there: desktop-sync --db 'sqlite:///{path}' init)")
    assert call("--db", f"sqlite:///{path}", "init")[0] == 0
    assert call("--db", f"sqlite:///{path}", "mailbox", "list")[0] == 0


def test_a_store_named_by_the_environment_must_exist_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv("DESKTOP_SYNC_DB", f"sqlite:///{path}")
    code, _, err = call("mailbox", "list")
    assert code == 2
    assert one_error_line(err) == f"$DESKTOP_SYNC_DB: no store at {path} (to create one there: desktop-sync init)"
    assert not path.exists()
    assert call("init")[0] == 0 and path.exists()
    assert call("mailbox", "list")[0] == 0


def test_the_default_store_creates_itself(no_env_store: None) -> None:
    from desktop_sync.store import default_database_path

    default = default_database_path()  # under the tests' own XDG_DATA_HOME
    code, _, err = call("user", "list")
    assert (code, err) == (0, "")
    assert default.exists()


# --- engine run: --metrics-port and --for -------------------------------------------------------------


@pytest.mark.parametrize("port", ["0", "65536", "70000", "-1", "99999999999999999999"])
def test_a_metrics_port_outside_1_to_65535_is_refused(db: str, port: str) -> None:
    code, out, err = call("--db", db, "engine", "run", "--once", "--metrics-port", port)
    assert (code, out) == (2, "")
    assert one_error_line(err) == f"--metrics-port: port {int(port)} is outside 1-65535"


def test_a_metrics_port_in_use_is_refused_before_the_engine_starts(db: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = call("--db", db, "engine", "run", "--once", "--metrics-port", str(port))
    assert (code, out) == (2, "")  # no "Logging to", no engine summary: it never started
    assert one_error_line(err) == f"--metrics-port: cannot listen on 127.0.0.1:{port}: already in use"


@SETTINGS
@given(port=st.one_of(st.integers(max_value=0), st.integers(min_value=65536)))
def test_generated_ports_outside_the_range_are_refused(port: int) -> None:
    problem = refusal("engine", "run", "--metrics-port", str(port))
    assert problem == f"--metrics-port: port {port} is outside 1-65535"


@pytest.mark.parametrize("seconds", ["-5", "0", "-0.001", "nan", "inf", "-inf", "soon"])
def test_for_takes_a_duration_of_more_than_0_seconds(db: str, seconds: str) -> None:
    code, out, err = call("--db", db, "engine", "run", "--for", seconds)
    assert (code, out) == (2, "")
    assert one_error_line(err).startswith("--for: ")


@SETTINGS
@given(seconds=st.one_of(st.floats(max_value=0), st.floats().filter(lambda f: not math.isfinite(f))))
def test_generated_durations_that_are_not_durations_are_refused(seconds: float) -> None:
    assert refusal("engine", "run", "--for", repr(seconds)).startswith("--for: ")


# --- counts and ids ---------------------------------------------------------------------------------


COUNTED = [
    (("email", "list", "--limit"), "--limit"),
    (("alerts", "clear"), "ID"),
    (("failed", "retry"), "ID"),
    (("outgoing", "resend"), "ID"),
    (("outgoing", "mark-sent"), "ID"),
    (("filter", "delete"), "ID"),
    (("filter", "enable"), "ID"),
]


@pytest.mark.parametrize(("argv", "name"), COUNTED)
@pytest.mark.parametrize("value", ["-1", "0", "x"])
def test_negative_counts_and_ids_are_refused(db: str, argv: tuple[str, ...], name: str, value: str) -> None:
    code, out, err = call("--db", db, *argv, value)
    assert (code, out) == (2, "")
    assert one_error_line(err).startswith(f"{name}: ")


@settings(SETTINGS, max_examples=300)
# "--" is not a value but the end of options: "failed retry --" gives no id, which its handler refuses
@given(value=st.one_of(st.integers(max_value=0).map(str), st.text().filter(lambda t: not _is_int(t) and t != "--")))
def test_generated_counts_that_are_not_counts_are_refused(value: str) -> None:
    for argv, name in COUNTED:
        problem = refusal(*argv, value)
        if value.startswith("-") and value != "-":  # argparse may take it for an option, and names it
            assert problem.startswith(
                (
                    f"{name}: ",
                    "unrecognized arguments: ",
                    f"the following arguments are required: {name}",
                    "ambiguous option: ",  # "--d": the options it could be are named
                )
            ), problem
        else:
            assert problem.startswith(f"{name}: "), problem


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--max-connections", "-1", "--max-connections: -1 is outside 1-300 (default 10)"),
        ("--timeout", "-5", "--timeout: -5 s is outside 1-100 s (default 60)"),
        ("--incoming-port", "-5", "--incoming-port: port -5 is outside 1-65535"),
        ("--min-poll", "-1", "--min-poll: -1 s is outside 0-720 s"),
    ],
)
def test_negative_profile_numbers_are_refused(db: str, option: str, value: str, expected: str) -> None:
    code, out, err = call(
        "--db", db, "profile", "add", "X", "--kind", "imap", "--incoming-host", "h.test", option, value
    )
    assert (code, out) == (2, "")
    assert one_error_line(err) == expected
    assert call("--db", db, "profile", "list", "--json")[1].strip() == "[]"


@pytest.mark.parametrize("value", ["-4", "101"])
def test_a_task_percent_complete_is_0_to_100(db: str, value: str) -> None:
    assert call("--db", db, "user", "add", "a@example.test", "--name", "A")[0] == 0
    code, out, err = call(
        "--db", db, "task", "add", "--user", "a@example.test", "--subject", "s", "--percent-complete", value
    )
    assert (code, out) == (2, "")
    assert one_error_line(err) == f"--percent-complete: {value} is outside 0-100"
    assert call("--db", db, "task", "list", "--json")[1].strip() == "[]"


# --- errors name what the user typed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("profile", "delete", "Nope"), "NAME: no profile named 'Nope'"),
        (("mailbox", "add", "a@example.test", "--profile", "Nope"), "--profile: no profile named 'Nope'"),
        (("mailbox", "delete", "nope@example.test"), "EMAIL: no mailbox nope@example.test"),
        (("user", "tracking", "nope@example.test", "all"), "EMAIL: no user nope@example.test"),
        (("email", "list", "--mailbox", "nope@example.test"), "--mailbox: no mailbox nope@example.test"),
    ],
)
def test_errors_name_the_argument_the_user_typed(db: str, argv: tuple[str, ...], expected: str) -> None:
    code, out, err = call("--db", db, *argv)
    assert (code, out) == (2, "")
    assert one_error_line(err) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("alerts", "clear", "99"), "ID: no alert 99"),
        (("failed", "retry", "99"), "ID: no open failed item with id 99"),
        (("outgoing", "resend", "99"), "ID: no outgoing email 99"),
        (("outgoing", "mark-sent", "99"), "ID: no outgoing email 99"),
        (("filter", "enable", "99"), "ID: no filter 99"),
        (("filter", "disable", "99"), "ID: no filter 99"),
        (("filter", "delete", "99"), "ID: no filter 99"),
        (("conflicts", "resolve", "99", "crm"), "ID: no open conflict 99"),
    ],
)
def test_an_id_that_names_nothing_is_bad_input_not_a_quiet_success(
    db: str, argv: tuple[str, ...], expected: str
) -> None:
    code, out, err = call("--db", db, *argv)
    assert (code, out) == (2, "")
    assert one_error_line(err) == expected


def _alerts(db: str, count: int) -> list[int]:
    """``count`` open alerts in the store at ``db``; their ids."""

    async def add() -> list[int]:
        store = open_store(f"sqlite:///{db}")
        try:
            async with store.transaction() as tx:
                added = [
                    await tx.alerts.add(
                        Alert(
                            Severity.WARNING,
                            AlertScope.PROFILE,
                            "timeout",
                            {"title": f"alert {n}", "cause": "a cause", "fix": "a fix"},
                            says=LEGACY_TEXT,
                        )
                    )
                    for n in range(count)
                ]
        finally:
            await store.close()
        return [a.id for a in added if a.id is not None]

    return asyncio.run(add())


def _open_alerts(db: str) -> set[int]:
    code, out, _ = call("--db", db, "alerts", "list", "--json")
    assert code == 0
    return {a["id"] for a in json.loads(out)}


def test_alerts_clear_with_an_unknown_id_clears_none_of_the_ids_and_names_the_unknown(db: str) -> None:
    first, second = _alerts(db, 2)
    code, out, err = call("--db", db, "alerts", "clear", str(first), "99", str(second), "100")
    assert (code, out) == (2, "")
    assert one_error_line(err) == "ID: no alerts 99, 100"
    assert _open_alerts(db) == {first, second}  # the known ones are not cleared either


def test_alerts_clear_counts_in_words_and_tells_what_was_cleared_before(db: str) -> None:
    first, second, third = _alerts(db, 3)
    assert call("--db", db, "alerts", "clear", str(first)) == (0, "Cleared 1 alert.\n", "")
    assert call("--db", db, "alerts", "clear", str(second), str(third), str(third)) == (0, "Cleared 2 alerts.\n", "")
    assert call("--db", db, "alerts", "clear", str(first)) == (0, "Cleared 0 alerts. 1 was already cleared.\n", "")
    assert _open_alerts(db) == set()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 11), min_size=1, max_size=6))
def test_generated_id_lists_clear_all_or_nothing(tmp_path_factory: pytest.TempPathFactory, offsets: list[int]) -> None:
    """Six new alerts each time, named 0-5 from the first; 6-11 name no alert (yet)."""
    path = _SHARED.get("alerts")
    if path is None:
        path = _SHARED["alerts"] = str(tmp_path_factory.mktemp("alerts") / "crm.sqlite3")
        assert call("--db", path, "init")[0] == 0
    new = _alerts(path, 6)
    before = _open_alerts(path)
    ids = [new[0] + offset for offset in offsets]
    code, out, err = call("--db", path, "alerts", "clear", *map(str, ids))
    unknown = [i for i in dict.fromkeys(ids) if i not in new]
    if unknown:
        assert (code, out) == (2, "")
        assert one_error_line(err).endswith(", ".join(map(str, unknown)))
        assert _open_alerts(path) == before
    else:
        cleared = len(set(ids))
        assert (code, err) == (0, "")
        assert out == f"Cleared {cleared} alert{'' if cleared == 1 else 's'}.\n"
        assert _open_alerts(path) == before - set(ids)


_SHARED: dict[str, str] = {}


def test_a_profile_in_use_is_named_as_typed(db: str) -> None:
    assert call("--db", db, "profile", "add", "Corp", "--kind", "imap", "--incoming-host", "h.test")[0] == 0
    assert call("--db", db, "mailbox", "add", "a@example.test", "--profile", "Corp")[0] == 0
    code, _, err = call("--db", db, "profile", "delete", "Corp")
    assert code == 2
    assert one_error_line(err).startswith("NAME: 1 mailbox uses this profile")


# --- the keyring ------------------------------------------------------------------------------------


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """keyring's own "fail" backend: what a session without any keyring has."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("argv", "action"),
    [
        (("mailbox", "delete", "a@example.test"), "delete the password from the keyring"),
        (("mailbox", "test-enable", "a@example.test"), "read the password from the keyring"),
        (("mailbox", "set-password", "a@example.test"), None),
        (
            (
                "profile",
                "add",
                "Svc",
                "--kind",
                "imap",
                "--incoming-host",
                "h.test",
                "--credentials-on",
                "profile",
                "--login",
                "svc",
                "--password-stdin",
            ),
            None,
        ),
    ],
)
def test_keyring_failures_are_told_in_our_words(db: str, argv: tuple[str, ...], action: str | None, request) -> None:
    assert call("--db", db, "profile", "add", "Corp", "--kind", "imap", "--incoming-host", "h.test")[0] == 0
    assert call("--db", db, "mailbox", "add", "a@example.test", "--profile", "Corp")[0] == 0
    assert call("--db", db, "mailbox", "approve", "a@example.test")[0] == 0
    request.getfixturevalue("no_keyring")
    code, _, err = call("--db", db, *argv, stdin="pw\n")
    assert code == 1
    problem = one_error_line(err)
    if action is None:
        assert problem.startswith("no secure keyring is available")
    else:
        assert problem.startswith(f"cannot {action}: no keyring is available")
    assert "clear text" in problem  # and never the library's advice to install a clear-text backend
    for library_words in ("keyrings.alt", "Install", "pypi", "recommended"):
        assert library_words not in problem


# --- Alembic stays quiet ----------------------------------------------------------------------------


def test_upgrading_an_old_store_prints_no_alembic_lines(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_sync_engine(resolve_url(url))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")  # a store from the release before
    engine.dispose()
    capfd.readouterr()

    code, out, err = call("--db", url, "engine", "run", "--once")
    captured = capfd.readouterr()
    assert code == 0, err
    everything = out + err + captured.out + captured.err
    assert "Engine stopped" in out
    assert "alembic" not in everything and "Context impl" not in everything and "Running upgrade" not in everything
