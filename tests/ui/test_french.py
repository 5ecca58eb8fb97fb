"""French and English: the language follows the system locale or DESKTOP_SYNC_LANG, the French
catalogue covers every string of the interface, and the windows really show French."""

from __future__ import annotations

import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt

from desktop_sync.resources import resource_path
from desktop_sync.ui.mailboxes_model import Column
from desktop_sync.ui.main_window import View
from desktop_sync.ui.profile_dialog import ProfileDialog
from desktop_sync.ui.translation import LANGUAGE_ENV, choose_language, install_translators
from desktop_sync.ui.tray import TrayIcon
from tests.ui.conftest import save_grab

pytestmark = pytest.mark.gui
UI_SOURCES = sorted(str(p) for p in (Path(__file__).resolve().parents[2] / "desktop_sync" / "ui").rglob("*.py"))
CATALOGUES = {
    "fr": (resource_path("translations/desktop_sync_fr.ts"), resource_path("translations/desktop_sync_fr.qm"), []),
    "en": (
        resource_path("translations/desktop_sync_en.ts"),
        resource_path("translations/desktop_sync_en.qm"),
        ["-pluralonly"],
    ),
}


def tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


@pytest.mark.parametrize(
    ("environ", "system", "expected"),
    [
        ({}, "fr_FR", "fr"),
        ({}, "fr_CA", "fr"),
        ({}, "de_DE", "en"),
        ({}, "C", "en"),
        ({LANGUAGE_ENV: "fr"}, "en_US", "fr"),
        ({LANGUAGE_ENV: "en"}, "fr_FR", "en"),
        ({LANGUAGE_ENV: "FR_be"}, "en_US", "fr"),
        ({LANGUAGE_ENV: "klingon"}, "fr_FR", "fr"),
    ],
)
def test_the_language_follows_the_override_then_the_system(environ, system, expected):
    assert choose_language(environ, system) == expected


@pytest.fixture
def french(qapp) -> Iterator[None]:
    previous = QLocale()
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "fr"})
    assert language == "fr" and translators
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(previous)


def test_the_main_window_tray_and_dialogs_speak_french(french, make_window, ui, qtbot, tmp_path):
    window = make_window(has_profiles=False)
    assert window.windowTitle() == "Desktop Sync"
    assert window.navigation.item(0).text() == "Premiers pas"
    assert window.navigation_item(View.MAILBOXES).text() == "Boîtes aux lettres"
    assert window.navigation_item(View.USERS_AND_QUEUES).text() == "Utilisateurs et files d'attente"
    assert window.first_run_page.title_label.text() == "Bienvenue dans Desktop Sync"
    assert window.mailboxes_page.title_label.text() == "Boîtes aux lettres"
    model = window.mailboxes_page.model
    assert model.headerData(Column.STATE, Qt.Orientation.Horizontal) == "État"
    assert window.engine_label.text() == "Non connecté à une base"
    save_grab(window, tmp_path / "main-window-fr.png")

    tray = TrayIcon()
    assert tray.open_action.text() == "&Ouvrir Desktop Sync"
    tray.deleteLater()

    dialog = ProfileDialog(ui.context, ui.presenter())
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Nouveau profil de serveur"
    assert dialog.test_button.text() == "&Tester la connexion"
    save_grab(dialog, tmp_path / "profile-dialog-fr.png")


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_each_catalogue_covers_every_string_and_is_compiled(tmp_path, language):
    """Run lupdate on a copy: nothing new may appear and nothing may stay unfinished."""
    catalogue, compiled_file, options = CATALOGUES[language]
    copy = tmp_path / Path(catalogue).name
    shutil.copy(catalogue, copy)
    result = subprocess.run(
        [tool("pyside6-lupdate"), *UI_SOURCES, "-ts", str(copy), "-locations", "none", "-no-obsolete", *options],
        capture_output=True,
        text=True,
        check=True,
    )
    if not options:  # with -pluralonly, lupdate counts the strings it strips afterwards as new
        assert "0 new" in result.stdout, result.stdout
    text = copy.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text and 'type="vanished"' not in text

    compiled = tmp_path / "compiled.qm"
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(catalogue), "-qm", str(compiled)], check=True)
    assert compiled.read_bytes() == Path(compiled_file).read_bytes(), "run pyside6-lrelease (translations/README.md)"


def test_english_counts_read_as_english(qapp):
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "en"})
    try:
        assert language == "en"
        one = QCoreApplication.translate("DashboardPage", "%n mailbox(es)", "", 1)
        two = QCoreApplication.translate("DashboardPage", "%n mailbox(es)", "", 2)
        assert (one, two) == ("1 mailbox", "2 mailboxes")
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_the_remap_question_is_the_services_text_in_english_and_translated_in_french(french):
    from desktop_sync.services.mailboxes import Owner, RemapNeeded
    from desktop_sync.ui.mailbox_dialog import remap_question

    needed = RemapNeeded(
        "shared@example.test",
        Owner("user", "bob@example.test", "Bob"),
        Owner("user", "alice@example.test", "Alice"),
        "bob@example.test",
    )
    question = remap_question(needed)
    assert question.startswith("Cette boîte aux lettres est associée à Alice <alice@example.test>.")
    assert "Bob <bob@example.test> est associé à bob@example.test" in question


def test_the_new_dialogs_and_the_activities_view_speak_french(french, ui, run, qtbot):
    from desktop_sync.domain.model import RecordType
    from desktop_sync.ui.activities_view import ActivitiesPage
    from desktop_sync.ui.settings_dialog import SettingsDialog
    from desktop_sync.ui.user_options_dialog import open_user_options

    shots = Path("/tmp/shots/gui-options")
    shots.mkdir(parents=True, exist_ok=True)
    run(ui.user("alice@example.test", "Alice Martin"))
    dialog = run(open_user_options(ui.context, ui.presenter(), "alice@example.test"))
    qtbot.addWidget(dialog)
    run(dialog._loading)
    assert dialog.windowTitle() == "Options de l'utilisateur — Alice Martin"
    assert [dialog.tabs.tabText(i) for i in range(3)] == ["&E-mail", "S&ynchronisation", "&Dossiers suivis"]
    assert dialog.email_tab.auto_create.text() == "Créer un con&tact pour l'expéditeur inconnu d'un e-mail suivi"
    tab = dialog.synchronization_tab
    assert tab.record_type.itemText(0) == "Rendez-vous"
    assert tab.note.text().startswith("Plusieurs filtres actifs d'un même type se combinent par OU")
    tab.record_type.setCurrentIndex(tab.record_type.findData(RecordType.TASK))
    editor = tab.new_filter()
    assert editor.windowTitle() == "Nouveau filtre — Tâches"
    assert editor.rows[0].field.currentText() == "Objet" and editor.rows[0].remove.text() == "Retirer"
    assert editor.match.itemText(1) == "l'une des règles (OU)"
    save_grab(editor, shots / "filter-editor-fr.png")
    editor.reject()
    assert dialog.folders_tab.status.text() == (
        "Cet utilisateur n'a pas de boîte aux lettres : il n'y a aucun dossier à suivre."
    )
    save_grab(dialog, shots / "user-options-fr.png")

    settings = SettingsDialog(ui.context.settings, ui.presenter())
    qtbot.addWidget(settings)
    run(settings.load())
    assert settings.windowTitle() == "Paramètres"
    assert settings.start_at_login.text() == "Démarrer Desktop Sync à l'ou&verture de session"
    assert settings.editors["attachment_limit_mb"].suffix() == " Mo"
    save_grab(settings, shots / "settings-fr.png")

    page = ActivitiesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    assert page.title_label.text() == "Activités"
    assert page.model.headerData(5, Qt.Orientation.Horizontal) == "Raison du suivi"
    assert page.empty.label.text() == "Aucun e-mail suivi pour l'instant."


# --- everything a person reads, generated: validation errors, test steps, dates ----------------

from datetime import UTC, datetime, timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from desktop_sync.domain.errors import ValidationError  # noqa: E402
from desktop_sync.domain.model import AuthMethod, Channel, CredentialsOn, ProfileKind, Security  # noqa: E402
from desktop_sync.domain.ports.connectors import STEP_TEXTS, step_text  # noqa: E402
from desktop_sync.domain.validation import (  # noqa: E402
    FIELD_ERRORS,
    ProfileInput,
    check_name,
    normalize_address,
    normalize_crm_id,
    validate_profile,
)
from desktop_sync.ui.explanations import localize_field_error, localize_step_text  # noqa: E402
from desktop_sync.ui.formatting import format_when  # noqa: E402

GENERATED = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
maybe_text = st.none() | st.text(max_size=40)
maybe_int = st.none() | st.integers(min_value=-10, max_value=70_000)
profile_inputs = st.builds(
    ProfileInput,
    name=st.text(max_size=210),
    kind=st.sampled_from(ProfileKind),
    incoming_host=maybe_text | st.sampled_from(["imap.contoso.test", "imap contoso", "[::1]"]),
    incoming_port=maybe_int,
    incoming_security=st.sampled_from(Security),
    outgoing_host=maybe_text | st.just("smtp.contoso.test"),
    outgoing_port=maybe_int,
    outgoing_security=st.sampled_from(Security),
    ews_url=maybe_text | st.sampled_from(["http://mail.contoso.test/EWS/Exchange.asmx", "ftp://x", "https://"]),
    auth=st.sampled_from(AuthMethod),
    credentials_on=st.sampled_from(CredentialsOn),
    login=maybe_text,
    max_connections=maybe_int,
    timeout_seconds=maybe_int,
    min_poll_seconds=maybe_int,
    process_email_from=st.none() | st.datetimes() | st.datetimes(timezones=st.just(UTC)),
    allow_insecure=st.booleans(),
    delete_after_download=st.booleans(),
    tracking_token_prefix=st.text(max_size=25),
    tracked_category=st.text(max_size=110),
    tag_undeliverable=st.booleans(),
)


def _names(template_text: str) -> list[str]:
    return list(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template_text) if name))


def test_the_french_catalogue_has_every_validation_error(french):
    """Each template of domain/validation.py, filled, reads in French (not the English left as is)."""
    for code, template_text in FIELD_ERRORS.items():
        english = field_error(code, **{name: f"<{name}>" for name in _names(template_text)})
        assert english == template_text.format_map({name: f"<{name}>" for name in _names(template_text)})
        assert localize_field_error(english) != english, code


@GENERATED
@given(profile_inputs)
def test_every_error_the_profile_form_can_show_reads_in_french(french, data):
    try:
        validate_profile(data)
    except ValidationError as exc:
        for field, english in exc.errors.items():
            french_text = localize_field_error(english)
            assert french_text != english, (field, english)


@GENERATED
@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=250))
def test_every_error_of_an_address_a_guid_or_a_name_reads_in_french(french, address, guid, name):
    for check in (lambda: normalize_address(address), lambda: normalize_crm_id(guid), lambda: check_name(name)):
        try:
            check()
        except ValidationError as exc:
            (english,) = exc.errors.values()
            assert localize_field_error(english) != english, english


plain_facts = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-@[]", min_size=1, max_size=30)


@GENERATED
@given(st.sampled_from(sorted(STEP_TEXTS)), plain_facts, plain_facts, plain_facts)
def test_every_connection_test_step_reads_in_french_with_its_facts(french, code, first, second, third):
    names = [name for _, name, _, _ in string.Formatter().parse(STEP_TEXTS[code]) if name]
    facts = dict(zip(names, [first, second, third, first + second, second + third, third + first], strict=False))
    english = step_text(code, **facts)
    shown = localize_step_text(english)
    assert shown != english, (code, english)
    for value in facts.values():
        assert value in shown, (code, value, shown)


def test_a_failed_step_in_the_connection_test_is_french_and_says_what_failed(french, ui, qtbot):
    from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, StepResult

    dialog = ProfileDialog(ui.context, ui.presenter())
    qtbot.addWidget(dialog)
    item = dialog.test_results.show_expected((Channel.INCOMING,))[Channel.INCOMING]
    dialog.test_results.show_result(
        item,
        ConnectionTest(
            (
                StepResult(
                    ConnectionTestStep.RESOLVE,
                    False,
                    step_text("name_not_found", host="imap.contoso.test"),
                    "host_not_found",
                    3.0,
                ),
            )
        ),
    )
    assert dialog.test_results.headerItem().text(1) == "Durée"
    assert item.child(0).text(0) == "Résoudre le nom du serveur"
    assert item.child(0).text(2) == "Nom de serveur inconnu"
    assert item.child(0).child(0).text(0) == "le nom imap.contoso.test est introuvable (DNS)"


@pytest.mark.parametrize(("language", "expected"), [("en", "12/24/2025"), ("fr", "24/12/2025")])
def test_times_of_another_day_show_their_date_with_a_four_digit_year(qapp, language, expected):
    _, translators = install_translators(qapp, {LANGUAGE_ENV: language})
    QLocale.setDefault(QLocale(language))
    try:
        now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        other_day = format_when(datetime(2025, 12, 24, 9, 30, tzinfo=UTC), now)
        assert other_day.startswith(expected), other_day
        today = format_when(now - timedelta(minutes=1), now)
        assert "2026" not in today and ":" in today  # today's time alone
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


# --- the E-mail Router migration: its warnings, reasons and results, generated -------------------

from xml.sax.saxutils import escape as xml_escape  # noqa: E402

from desktop_sync.adapters.email_router_files import parse_agent_config  # noqa: E402
from desktop_sync.domain.email_router import (  # noqa: E402
    AGENT_FILE,
    RouterFiles,
    StoreSnapshot,
    analyze,
)
from desktop_sync.domain.migration_texts import MIGRATION_TEXTS, migration_text  # noqa: E402
from desktop_sync.domain.model import Queue, QueueId, User, UserId  # noqa: E402
from desktop_sync.services.migration import plan_migration  # noqa: E402
from desktop_sync.ui.explanations import localize_migration_text  # noqa: E402


@GENERATED
@given(st.sampled_from(sorted(MIGRATION_TEXTS)), st.lists(plain_facts, min_size=4, max_size=4))
def test_every_migration_text_reads_in_french_with_its_facts(french, code, values):
    facts = dict(zip(_names(MIGRATION_TEXTS[code]), values, strict=False))
    english = migration_text(code, **facts)
    shown = localize_migration_text(english)
    assert shown != english, (code, english)
    for value in facts.values():
        assert value in shown, (code, value, shown)


@GENERATED
@given(
    st.sampled_from(["mailbox_not_migrated", "profile_not_migrated", "provider_unusable", "provider_unusable_address"]),
    st.sampled_from(sorted(MIGRATION_TEXTS)),
    st.lists(plain_facts, min_size=4, max_size=4),
)
def test_a_reason_inside_a_warning_reads_in_french_too(french, outer, inner, values):
    inner_facts = dict(zip(_names(MIGRATION_TEXTS[inner]), values, strict=False))
    reason = migration_text(inner, **inner_facts)
    outer_names = _names(MIGRATION_TEXTS[outer])
    outer_facts = {name: "x@contoso.test" for name in outer_names if name not in ("problem", "reason")}
    for name in ("problem", "reason"):
        if name in outer_names:
            outer_facts[name] = reason
    shown = localize_migration_text(migration_text(outer, **outer_facts))
    assert localize_migration_text(reason) in shown, (outer, inner, shown)


USERS = (
    User("alice.adams@contoso.com", "Alice Adams", "3f2a9c10-13d8-e011-9077-00155d0a1b01", id=UserId(1)),
    User("bob.brown@contoso.com", "Bob Brown", "3f2a9c11-13d8-e011-9077-00155d0a1b01", id=UserId(2)),
)
QUEUES = (Queue("sales@contoso.com", "Sales", "7b1e4d20-19d8-e011-9077-00155d0a1b01", id=QueueId(1)),)
PREFIX = "Microsoft.Crm.Tools.Email.Providers."
router_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
providers = st.fixed_dictionaries(
    {
        "ProviderClass": st.sampled_from(
            [
                PREFIX + "Pop3PollingMailboxProvider",
                PREFIX + "ImapPollingMailboxProvider",
                PREFIX + "SmtpPollingSendEmailProvider",
                PREFIX + "ExchangePollingMailboxProvider",
                PREFIX + "ExchangeOnlinePollingSendEmailProvider",
                PREFIX + "WebDavPollingMailboxProvider",
                PREFIX + "PollingMailboxProvider",
                "Contoso.Mail.CustomProvider",
            ]
        ),
        "EmailServerUrl": st.sampled_from(
            [
                "https://mail.contoso.local/EWS/Exchange.asmx",
                "https://mail.contoso.local/owa",
                "http://mail.contoso.local/exchange/",
                "pop3://pop.contoso.local:110",
                "imaps://imap.contoso.local",
                "smtp.contoso.local",
                "smtps://smtp.contoso.local:465",
                "https://outlook.office365.com/EWS/Exchange.asmx",
                "pop3://pop.contoso.local:99999",
                "https://",
            ]
        ),
    },
    optional={
        "EmailUseSSL": st.sampled_from(["true", "false", "True"]) | router_text,
        "EmailAuthMode": st.sampled_from(["WindowsAuthentication", "ClearText", "Anonymous", "Office365"])
        | router_text,
        "EmailAddress": st.sampled_from(
            ["alice.adams@contoso.com", "bob.brown@contoso.com", "sales@contoso.com", "nobody@contoso.com"]
        )
        | router_text,
        "EmailUser": st.sampled_from(["CONTOSO\\svc", "alice.adams@contoso.com"]) | router_text,
        "EmailPassword": st.just("c2VjcmV0"),
        "IsForwardMailbox": st.sampled_from(["true", "false"]) | router_text,
        "DeleteEmails": st.sampled_from(["true", "false"]),
        "UserId": st.sampled_from([USERS[0].crm_id, USERS[1].crm_id, "not-a-guid"]) | router_text,
        "QueueId": st.sampled_from([QUEUES[0].crm_id, "00000000-0000-0000-0000-000000000001"]),
        "ProfileName": st.sampled_from(["Incoming", "Outgoing"]) | router_text,
        "Unknown": router_text,
    },
)


def _agent(generated: list[dict[str, str]]) -> bytes:
    body = "".join(
        "<ProviderConfiguration>"
        + "".join(f"<{name}>{xml_escape(value)}</{name}>" for name, value in provider.items())
        + "</ProviderConfiguration>"
        for provider in generated
    )
    return f"<Configuration><SystemConfiguration/>{body}</Configuration>".encode()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(providers, min_size=1, max_size=5))
def test_every_warning_and_reason_the_migration_wizard_can_show_reads_in_french(french, generated):
    """Whatever the router's files hold, what the wizard shows of them (warnings, why a profile or a
    mailbox is not migrated, what the plan does with each) has French."""
    try:
        agent = parse_agent_config(_agent(generated), AGENT_FILE)
    except ValidationError:
        return  # a file that cannot be read is named on the first page (test_migration_wizard)
    reading = analyze([RouterFiles("router", agent, (), ())], StoreSnapshot(users=USERS, queues=QUEUES))
    shown = [w.message for w in reading.warnings]
    shown += [p.problem for p in reading.profiles + reading.incoming + reading.outgoing if p.problem]
    shown += [m.problem for m in reading.mailboxes if m.problem]
    plan = plan_migration(reading)
    shown += [s.reason for s in plan.skipped]
    shown += [p.detail for p in plan.profiles + plan.forward_mailboxes + plan.mailboxes if p.detail]
    for english in shown:
        assert localize_migration_text(english) != english, english


# --- what the services refuse, as the error dialog shows it ------------------------------------------

from desktop_sync.domain.validation import field_error  # noqa: E402
from desktop_sync.ui.errors import report_for  # noqa: E402


@GENERATED
@given(st.integers(min_value=1, max_value=10_000), plain_facts)
def test_a_service_refusal_reads_in_french_in_the_error_dialog_with_its_count(french, count, address):
    one = count == 1
    refusals = {
        "name": field_error(
            "profile_in_use_one" if one else "profile_in_use", count=str(count), mailboxes=f"{address}, …"
        ),
        "address": field_error("unsent_mail_one" if one else "unsent_mail", count=str(count), address=address),
        "email": field_error("user_exists", address=address),
    }
    cause = report_for(ValidationError(refusals), "delete the profile").cause
    assert "(s)" not in cause and "(es)" not in cause
    assert ("1 boîte aux lettres utilise ce profil" if one else f"{count} boîtes aux lettres utilisent") in cause
    assert ("1 message de" if one else f"{count} messages de") in cause
    assert f"un utilisateur {address} existe déjà" in cause
