"""Every user-facing text about a failure or an event: a title, its cause and the fix, by code.

One module owns them so the GUI, the CLI and alerts say the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Explanation:
    title: str
    cause: str
    fix: str


_CATALOGUE: dict[str, Explanation] = {
    "mailbox_remapped": Explanation(
        title="Mailbox mapped to another user",
        cause="{address} was mapped to {old_owner} and is now mapped to {new_owner}. The previous "
        "mapping and its synchronization stopped.",
        fix="Run Test & Enable on {address} so that it synchronizes for {new_owner}.",
    ),
    "mailbox_unmapped": Explanation(
        title="Mailbox left without an owner",
        cause="{address} belonged to {old_owner}, who is now mapped to {other_address}; a user has "
        "at most one mailbox, so {address} stopped synchronizing.",
        fix="Map {address} to another user or queue, or leave it unused.",
    ),
    "mailbox_not_approved": Explanation(
        title="Mailbox not approved",
        cause="{address} is enabled but its email address has not been approved, so it is not synchronized.",
        fix="Approve the mailbox (desktop-sync mailbox approve {address}), then run Test & Enable.",
    ),
    "mailbox_awaiting_approval": Explanation(
        title="Mailbox must be approved",
        cause="{address} passed Test & Enable, but its email address has not been approved, so it does not "
        "synchronize.",
        fix="Approve the mailbox (desktop-sync mailbox approve {address}), then run Test & Enable to enable it.",
    ),
    "test_enable_failed": Explanation(
        title="Test & Enable failed",
        cause="Test & Enable of {address} failed: {detail}",
        fix="Fix the cause, then run Test & Enable again.",
    ),
    "password_missing": Explanation(
        title="No password for the mailbox",
        cause="{address} signs in with its own credentials and no password is stored for it.",
        fix="Set the password in the mailbox editor or with desktop-sync mailbox set-password {address}.",
    ),
    "auth_failed": Explanation(
        title="The server refused the credentials",
        cause="{server} did not accept the user name or password of {address}: {detail}",
        fix="Check the login and password of the mailbox (or the profile's service account), then run "
        "Test & Enable again.",
    ),
    "certificate_invalid": Explanation(
        title="The server's certificate is not trusted",
        cause="The TLS certificate of {server} could not be verified: {detail}",
        fix="Give the profile the CA file that signed the server's certificate, or fix the certificate on the server.",
    ),
    "tls_unavailable": Explanation(
        title="The server does not offer TLS",
        cause="{server} does not offer the transport security the profile asks for: {detail}",
        fix="Choose the security the server offers (implicit TLS or STARTTLS), or fix the server.",
    ),
    "host_not_found": Explanation(
        title="Unknown server name",
        cause="The name of {server} cannot be resolved: {detail}",
        fix="Correct the host name in the server profile.",
    ),
    "server_unreachable": Explanation(
        title="The server cannot be reached",
        cause="{server} did not accept a connection for {address}: {detail}",
        fix="The engine retries by itself. If it lasts, check the server, the port and the network.",
    ),
    "connection_dropped": Explanation(
        title="The server dropped the connection",
        cause="{server} closed the connection of {address} in the middle of a request: {detail}",
        fix="The engine retries by itself. If it lasts, check the server's logs and limits.",
    ),
    "timeout": Explanation(
        title="The server did not answer in time",
        cause="{server} took longer than the profile's time-out to answer for {address}: {detail}",
        fix="The engine retries by itself. If it lasts, raise the time-out (at most 100 s) or check the server.",
    ),
    "server_busy": Explanation(
        title="The server asked us to slow down",
        cause="{server} is busy and asked to come back later: {detail}",
        fix="Nothing to do: the engine waits as long as the server asked. Lower the profile's connection "
        "limit if it happens often.",
    ),
    "mailbox_not_found": Explanation(
        title="The mailbox does not exist on the server",
        cause="{server} has no mailbox {address}: {detail}",
        fix="Check the mailbox's address and login, or remove the mailbox.",
    ),
    "impersonation_denied": Explanation(
        title="The service account may not act for the mailbox",
        cause="{server} refused to let the profile's service account impersonate {address}: {detail}",
        fix="Give the service account the ApplicationImpersonation role on Exchange (for Exchange Online, grant the "
        "application full_access_as_app), or put the credentials on each mailbox instead.",
    ),
    "access_denied": Explanation(
        title="Access to the mailbox is denied",
        cause="{server} refused the account of {address} access to the mailbox or one of its folders: {detail}",
        fix="Give the account Full Access to the mailbox, or use a service account with impersonation rights.",
    ),
    "graph_permission_denied": Explanation(
        title="Microsoft Graph denied a permission",
        cause="{server} refused {address} a request: {detail}",
        fix="In Microsoft Entra, grant the application the permission named, with admin consent (app-only: the "
        "application permissions Mail.ReadWrite, Mail.Send, Calendars.ReadWrite, Contacts.ReadWrite and "
        "Tasks.ReadWrite.All; signed-in mailboxes: their delegated forms), and check that the application access "
        "policy (or RBAC for Applications scope) includes this mailbox. Then run Test & Enable again.",
    ),
    "autodiscover_failed": Explanation(
        title="The Exchange server could not be found",
        cause="Autodiscover found no EWS address for {address}: {detail}",
        fix="Give the profile its EWS URL (e.g. https://mail.example.com/EWS/Exchange.asmx; Exchange Online: "
        "https://outlook.office365.com/EWS/Exchange.asmx), or fix the domain's autodiscover records.",
    ),
    "not_supported": Explanation(
        title="Not supported",
        cause="{detail}",
        fix="Choose a synchronization method this profile supports.",
    ),
    "act_appointment_failed": Explanation(
        title="An appointment was not synchronized",
        cause="{detail}",
        fix="See the failed items; it is tried again in the next cycle.",
    ),
    "act_contact_failed": Explanation(
        title="A contact was not synchronized",
        cause="{detail}",
        fix="See the failed items; it is tried again in the next cycle.",
    ),
    "act_task_failed": Explanation(
        title="A task was not synchronized",
        cause="{detail}",
        fix="See the failed items; it is tried again in the next cycle.",
    ),
    "act_no_organizer": Explanation(
        title="An appointment was not synchronized",
        cause="The appointment {item} has no organizer, and Exchange cannot hold a meeting without one.",
        fix="Give the appointment an organizer in the CRM; it is synchronized at the next cycle.",
    ),
    "act_conflict": Explanation(
        title="Conflict between the CRM and Exchange",
        cause="{field} of record {record} changed both in the CRM ({crm_value}) and in Exchange "
        "({exchange_value}) since the last synchronization; the {kept} value was kept.",
        fix="Resolve it in the Conflicts view, or: desktop-sync conflicts resolve {conflict_id} {{crm,exchange,both}}.",
    ),
    "act_safety_stop": Explanation(
        title="Synchronization of {kind} held for confirmation",
        cause="The {kind} of {address} would change too much at once: {changes} ({removed} of {links} "
        "links deleted or unlinked; {why}). Nothing of it was written, and the {kind} of this mailbox wait.",
        fix="If this is what you want, run it once: Confirm changes (on this alert or in Preview "
        "synchronization), or desktop-sync act confirm {address} --type {type}. Otherwise fix the cause "
        "(sync filters, owners, the Exchange folder); the plan waits until then.",
    ),
    "retries_exhausted": Explanation(
        title="Synchronization stopped after repeated failures",
        cause="{address} failed {attempts} times in a row ({detail}); its channel was disabled.",
        fix="Fix the cause, then run Test & Enable to turn synchronization back on.",
    ),
    "profile_failing": Explanation(
        title="Most mailboxes of a profile are failing",
        cause="{failing} of the {total} mailboxes of profile {profile} failed within the last hour.",
        fix="The cause is probably the profile or the server: check the server, the profile's settings "
        "and its service account.",
    ),
    "malformed_message": Explanation(
        title="A message could not be read",
        cause="A message of {address} ({item}) is malformed: {detail}",
        fix="It is kept in the failed items; retry it once the cause is fixed, or ignore it.",
    ),
    "item_failed": Explanation(
        title="An item could not be processed",
        cause="An item of {address} ({item}) could not be processed: {detail}",
        fix="The other items went on. It is kept in the failed items; retry it once the cause is fixed, or ignore it.",
    ),
    "internal_error": Explanation(
        title="Unexpected error",
        cause="Synchronizing {address} failed unexpectedly: {detail}",
        fix="The engine retries by itself. If it lasts, report it with the log file.",
    ),
    "insecure_transport": Explanation(
        title="Clear-text connection refused",
        cause="The profile of {address} asks for a connection without TLS, and insecure transport is not "
        "allowed: {detail}",
        fix="Choose TLS or STARTTLS, or allow insecure transport on the profile if the network is trusted.",
    ),
    "item_not_found": Explanation(
        title="The item is no longer on the server",
        cause="An item of {address} ({item}) could not be found on the server: {detail}",
        fix="Nothing to retry: it was deleted or moved. Clear it from the failed items.",
    ),
    "protocol_error": Explanation(
        title="The server answered something unexpected",
        cause="{server} broke the protocol while serving {address}: {detail}",
        fix="The engine retries by itself. If it lasts, check the server's logs.",
    ),
    "smtp_temporary": Explanation(
        title="The mail server deferred a mail",
        cause="The outgoing server answered with a temporary refusal (4xx): {detail}",
        fix="Nothing to do: the mail is sent again later.",
    ),
    "delivery_unknown": Explanation(
        title="Delivery unknown",
        cause="The connection broke while the server had a mail of {address}, and it is not in Sent: {detail}",
        fix="Ask a recipient, then resend it (desktop-sync outgoing resend ID) or mark it sent "
        "(desktop-sync outgoing mark-sent ID).",
    ),
    "outgoing_disabled": Explanation(
        title="Mail waiting to be sent",
        cause="{address} cannot send yet: {detail}",
        fix="Approve the mailbox and run Test & Enable so that outgoing email is enabled; the mail waits.",
    ),
    "smtp_rejected": Explanation(
        title="The mail server refused a mail",
        cause="The outgoing server refused a mail of {address} for good (5xx): {detail}",
        fix="Correct the recipients or the content, then resend it (desktop-sync outgoing resend ID).",
    ),
    "copy_to_sent_failed": Explanation(
        title="The mail was sent but not copied to Sent",
        cause="{detail}",
        fix="Nothing to resend. Check the Sent folder's name and rights on the server.",
    ),
    "mail_delivery_unknown": Explanation(
        title="Delivery unknown",
        cause="The mail {message_id} ({subject}) may or may not have been sent: the connection broke while the "
        "server had it, and it is not in the Sent folder.",
        fix="Ask a recipient, then resend it (desktop-sync outgoing resend ID) or mark it sent "
        "(desktop-sync outgoing mark-sent ID).",
    ),
    "mail_failed": Explanation(
        title="A mail could not be sent",
        cause="{subject} to {recipients}: {detail}",
        fix="Correct the recipients or the cause, then resend it (desktop-sync outgoing resend ID).",
    ),
    "no_secure_keyring": Explanation(
        title="No secure keyring",
        cause="Passwords are kept only in the system keyring, and none that keeps them safe is available.",
        fix="Start a Secret Service (GNOME Keyring or KWallet) in your session, then try again.",
    ),
    "store_unavailable": Explanation(
        title="The CRM store cannot be opened",
        cause="{detail}",
        fix="Check the database URL (--db or DESKTOP_SYNC_DB), that the server is running, and that "
        "the disk is not full.",
    ),
    "store_missing": Explanation(
        title="The CRM store does not exist",
        cause="{detail}",
        fix="Check the database path (--db or DESKTOP_SYNC_DB), or create it first (desktop-sync init).",
    ),
    "bad_db_url": Explanation(
        title="The database URL is not valid",
        cause="{detail}",
        fix="Give a SQLite file path or a URL such as postgresql://user@host/crm (--db or DESKTOP_SYNC_DB).",
    ),
    "no_store": Explanation(
        title="The CRM store is not open",
        cause="{detail}",
        fix="Open the CRM store, then try again.",
    ),
    "engine_already_running": Explanation(
        title="The engine is already running",
        cause="{detail}",
        fix="One engine runs on a SQLite store at a time: stop the other one first, or use PostgreSQL to run several.",
    ),
    "busy": Explanation(
        title="Already running",
        cause="{detail}",
        fix="Wait until it has ended, then try again.",
    ),
    "operation_interrupted": Explanation(
        title="The operation was interrupted",
        cause="{detail}",
        fix="Start the engine again and run the operation again.",
    ),
    "config_unwritable": Explanation(
        title="The settings could not be saved",
        cause="{detail}",
        fix="Check the permissions and the free space of the settings folder, then try again.",
    ),
    "autostart_unwritable": Explanation(
        title="Starting at sign-in could not be changed",
        cause="{detail}",
        fix="Check the permissions of the autostart folder (~/.config/autostart), then try again.",
    ),
    "file_unwritable": Explanation(
        title="The file could not be written",
        cause="{detail}",
        fix="Choose another folder or file name, or check the folder's permissions and free space.",
    ),
    "file_not_saved": Explanation(
        title="The file was not saved",
        cause="{detail}",
        fix="Choose another folder or file name, or check the folder's permissions and free space.",
    ),
    "invalid_value": Explanation(
        title="An item holds a value that cannot be synchronized",
        cause="{detail}",
        fix="Correct the value in the CRM or in Exchange; the item is tried again in the next cycle.",
    ),
    "change_key_stale": Explanation(
        title="The item changed on the server meanwhile",
        cause="{detail}",
        fix="Nothing to do: it is read again and synchronized in the next cycle.",
    ),
    "act_skipped": Explanation(
        title="An item was skipped",
        cause="{detail}",
        fix="See the failed items; it is tried again in the next cycle.",
    ),
    "router_file": Explanation(
        title="An E-mail Router file cannot be used",
        cause="{detail}",
        fix="Choose the router's own files, as the router saved them, and try again.",
    ),
    "migration_credentials_needed": Explanation(
        title="Credentials needed for a migrated profile",
        cause="Profile {profile} was migrated from the E-mail Router, whose passwords are encrypted and were not "
        "migrated. No password is stored yet for {missing}.",
        fix="Enter the passwords (profile editor, or desktop-sync mailbox set-password ADDRESS), then run Test & "
        "Enable on the mailboxes.",
    ),
    "signin_needed": Explanation(
        title="Sign-in needed",
        cause="{detail}",
        fix="Sign the mailbox in again: Sign in… in the mailbox's editor, or desktop-sync mailbox sign-in {address} "
        "(a service account: desktop-sync profile sign-in PROFILE, with the profile's name). Its synchronization waits "
        "until then and goes on where it stopped.",
    ),
    "signin_refused": Explanation(
        title="The sign-in was refused",
        cause="{detail}",
        fix="Check the profile's identity provider, client id and scopes, then sign in again.",
    ),
    "identity_provider_unavailable": Explanation(
        title="The identity provider cannot be reached",
        cause="{detail}",
        fix="The engine retries by itself. If it lasts, check the network and the provider's status.",
    ),
    "not_found": Explanation(
        title="Not found",
        cause="{detail}",
        fix="It may have been changed or removed elsewhere; check the name and try again.",
    ),
    "validation": Explanation(
        title="Some input is not valid",
        cause="{detail}",
        fix="Correct the fields named and try again.",
    ),
}

# The code of an alert stored before alerts were stored as codes and facts (store revision 0012): its
# facts are its English title, cause and fix, shown as they were written.
LEGACY_TEXT = "legacy_text"


class _Facts(dict[str, str]):
    """Missing facts read as "?" rather than failing: a message with a gap beats no message."""

    def __missing__(self, key: str) -> str:
        return "?"


def explain(code: str, **facts: str) -> Explanation:
    """The text for ``code`` with ``facts`` filled in; an unknown code still says something useful."""
    if code == LEGACY_TEXT:
        return Explanation(facts.get("title", ""), facts.get("cause", ""), facts.get("fix", ""))
    template = _CATALOGUE.get(code)
    values = _Facts(facts)
    if template is None:
        detail = facts.get("detail", "")
        return Explanation(title=code.replace("_", " ").capitalize(), cause=detail, fix="")
    return Explanation(
        title=template.title.format_map(values),
        cause=template.cause.format_map(values),
        fix=template.fix.format_map(values),
    )


def known_codes() -> frozenset[str]:
    return frozenset(_CATALOGUE)


def template(code: str) -> Explanation | None:
    """The English template of ``code``, placeholders (``{address}``) unfilled; None for an unknown code."""
    return _CATALOGUE.get(code)


def templates() -> Mapping[str, Explanation]:
    """Every code's English template, read-only, in the catalogue's order (for translations)."""
    return _TEMPLATES


_TEMPLATES: Mapping[str, Explanation] = MappingProxyType(_CATALOGUE)


def name_item(subject: str | None, sender: str | None = None, date: object = None, folder: str | None = None) -> str:
    """How the CLI and alerts name an item, by what a person knows of it rather than its server id:
    ``"Quarterly report" from Alice <alice@example.test>, 2026-12-01 09:30 UTC``; an item nothing is
    known of is ``a message in INBOX``."""
    when = None
    if isinstance(date, dt.datetime):
        aware = date if date.tzinfo else date.replace(tzinfo=dt.UTC)
        when = aware.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    elif isinstance(date, dt.date):
        when = date.isoformat()
    if not (subject or sender or when):
        return f"a message in {folder}" if folder else "an item"
    parts = [f'"{subject}"' if subject else "(no subject)"]
    if sender:
        parts.append(f"from {sender}")
    text = " ".join(parts)
    return f"{text}, {when}" if when else text
