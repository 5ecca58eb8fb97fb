"""What the E-mail Router migration says: its warnings, why something is not migrated, and what it did.

Every text by code, in English with ``{placeholders}``: the CLI prints it as it is; the GUI shows it in
the interface's language (ui/explanations.py reads the facts back out of the English text, translates
each fact that is itself one of these texts, and fills the translated template;
desktop_sync_messages_<lang>.ts, context "MigrationTexts").
"""

from __future__ import annotations

from collections.abc import Sequence

MIGRATION_TEXTS: dict[str, str] = {
    # the folders and files given (first page of the wizard)
    "no_folder_given": "give the folder of at least one E-mail Router",
    "too_many_routers": "at most {limit} routers at a time; {count} were given",
    "no_such_folder": "no such folder",
    "not_a_folder": "not a folder: give the folder that holds the router's three files",
    "router_twice": "this router was given twice",
    "unreadable": "cannot be read ({reason})",
    "file_missing": "no such file: each router needs {files}",
    "case_twins": "two files are named {name} but for their case",
    "file_empty": "the file is empty",
    "file_too_large": "{size} is more than the {limit} allowed",
    "files_too_large": "with this file the routers' files come to {size}, more than the {limit} allowed in all",
    "read_too_large": "more than the {limit} allowed",
    "doctype_refused": "it has a DOCTYPE declaration, which an E-mail Router file never has; refused for safety",
    "entity_refused": "it declares an entity, which an E-mail Router file never does; refused for safety",
    "not_well_formed": "not well-formed XML ({reason}) at line {line}, column {column}",
    "root_not_configuration": (
        "the root element is <{element}>, not <Configuration>: not an E-mail Router configuration"
    ),
    "nested_provider": (
        "a <ProviderConfiguration> is nested inside the <{element}> of line {line}; each must be a child of "
        "<Configuration>"
    ),
    # reading the files
    "no_system_configuration": "{source} has no <SystemConfiguration>; the router-wide settings are unknown",
    "several_system_configurations": "{source} has {count} <SystemConfiguration> elements; all were read",
    "two_values": "two different <{element}> values ({first} and {second})",
    "ssl_contradicts_location": (
        "{source}: <EmailUseSSL> says {stated} but the location is {scheme}://; the location was followed"
    ),
    "incoming_lists_ids": "{source}: an incoming provider lists user or queue ids: ignored",
    "unknown_elements": "{source}: provider elements not understood, kept and not migrated: {elements}",
    "unknown_settings": "{source}: router settings not understood (kept, not migrated): {settings}",
    "no_state": "SystemState.xml holds no provider state: no ThresholdDate to report",
    "several_deployments": (
        "the providers serve several CRM deployments ({deployments}); all of them are migrated into this "
        "store - deselect the profiles of other organizations"
    ),
    # a provider that cannot be used
    "provider_unusable": "{source}: not migrated: {reason}",
    "provider_unusable_address": "{address}: {source}: not migrated: {reason}",
    "address_invalid": "<EmailAddress> {value} is not an email address",
    "forward_flag_invalid": "<IsForwardMailbox> {value} is not true or false",
    "no_provider_class": "it has no <ProviderClass>, so the kind of server is unknown",
    "custom_without_address": "a custom provider ({provider_class}) without <EmailAddress> or users",
    "provider_class_unknown": "provider class {provider_class} is not one Desktop Sync knows (a base class?)",
    "no_server_url": "it has no <EmailServerUrl>, so the server is unknown",
    "server_url_no_host": "<EmailServerUrl> {value} names no server",
    "server_url_bad_port": "<EmailServerUrl> {value} has an invalid port",
    "ssl_flag_invalid": "<EmailUseSSL> {value} is not true or false",
    "auth_mode_unknown": "<EmailAuthMode> {value} is not a mode Desktop Sync knows",
    "incoming_without_address": "an incoming provider without <EmailAddress>: no mailbox to migrate",
    "outgoing_without_ids": "an outgoing provider that lists no <UserId> or <QueueId>: nobody uses it",
    "ews_url_built": (
        "the router's Exchange location {location} is not an EWS URL; the profile uses "
        "https://{host}/EWS/Exchange.asmx - check it before Test & Enable"
    ),
    # router profiles and mailboxes
    "webdav": (
        "Exchange WebDAV ({host}, Exchange 2003/2007) cannot be used by server-side synchronization: "
        "not migrated - move these mailboxes to Exchange 2010 or later (EWS) and set up their profile by hand"
    ),
    "custom_provider": (
        "a custom provider ({provider_class}) has no counterpart in Desktop Sync: not migrated - "
        "set up the profile of these mailboxes by hand"
    ),
    "credentials_inferred": (
        "{address} signs in as {login}, an account no other mailbox uses: taken as the mailbox's own credentials"
    ),
    "address_unmatched": (
        "no user or queue has this address: add it (desktop-sync user add ADDRESS --name NAME "
        "--crm-id GUID, or queue add), then run the migration again"
    ),
    "mailbox_not_migrated": "{address}: not migrated: {problem}",
    "id_unmatched": (
        "1 id listed here matches no user or queue of this store, so nothing is migrated for it "
        "(add it with --crm-id, then run the migration again): {ids}"
    ),
    "ids_unmatched": (
        "{count} ids listed here match no user or queue of this store, so nothing is migrated for them "
        "(add them with --crm-id, then run the migration again): {ids}"
    ),
    "id_not_guid": "{value} (not a GUID)",
    "served_by_several": "it is served by router profiles with different settings: {profiles}",
    "read_by_several": "it is read by router profiles with different settings: {profiles}",
    "only_profile_unusable": "its only router profile cannot be migrated",
    "profile_not_migrated": "not migrated: {problem}",
    "profile_cannot_be_migrated": "profile {profile} cannot be migrated: {problem}",
    # merging a pair into one profile
    "outgoing_smtp_only": "only an outgoing SMTP server: a Desktop Sync profile needs its incoming server too",
    "type_cannot_be_migrated": "{server_type} cannot be migrated",
    "incoming_non_ssl": (
        "the router used {host} without SSL/TLS: passwords would cross the network in clear text, so the "
        "profile is migrated only where clear text is allowed for it - switch it to TLS if the server offers it"
    ),
    "anonymous_incoming": "the router read this mailbox anonymously, which Desktop Sync cannot do",
    "auth_not_stated": "the router's files do not say how it signed in: basic is assumed",
    "exchange_online_oauth": (
        "{host} is Exchange Online: migrated to an Exchange Online profile (Microsoft Graph) that signs in "
        "with OAuth 2.0 as your Microsoft Entra application; sign it in before its mailboxes sync"
    ),
    "exchange_online_needs_app": (
        "Exchange Online signs in with OAuth 2.0: give the Microsoft Entra application registered for it "
        "(desktop-sync migrate router ... --client-id ID --tenant TENANT)"
    ),
    "signin_needed_profile": (
        "no sign-in yet: run desktop-sync profile sign-in {profile} (--client-secret-stdin or "
        "--client-certificate PEM) before its mailboxes sync"
    ),
    "exchange_online_basic": (
        "{host} is Exchange Online, which no longer accepts basic authentication: switch the profile to "
        "OAuth 2 before Test & Enable"
    ),
    "shared_account": (
        "every mailbox of this profile signs in as {login}, and {server_type} reads only that account's mail: "
        "give each mailbox its own credentials unless they all receive through it"
    ),
    "local_system": (
        "the router signed in with its service's Local System account (Windows integrated), which Desktop "
        "Sync cannot use: enter each mailbox's credentials (desktop-sync mailbox set-password ADDRESS) "
        "before Test & Enable"
    ),
    "delete_mixed": "some mailboxes deleted mail after download and others kept it: the profile keeps it",
    "exchange_with_smtp": (
        "incoming Exchange with outgoing SMTP ({host}): an Exchange profile sends through Exchange (EWS), so "
        "the SMTP server is no longer used"
    ),
    "pop3_with_exchange": (
        "incoming {server_type} with outgoing Exchange ({host}): this profile cannot send through Exchange, so "
        "outgoing email is not migrated - add an SMTP server to it"
    ),
    "exchange_servers_differ": (
        "mail was read from {incoming} and sent through {outgoing}; an Exchange profile uses one server for "
        "both: {incoming}"
    ),
    "smtp_non_ssl": (
        "the router sent through {host} without SSL/TLS: passwords would cross the network in clear text, so "
        "the profile is migrated only where clear text is allowed for it - switch it to STARTTLS or TLS if the "
        "server offers it"
    ),
    "smtp_anonymous": (
        "the router sent anonymously through {host}; Desktop Sync signs in to it with the same credentials as "
        "for the incoming server"
    ),
    "smtp_local_system": (
        "the router sent through {host} as its Local System account; Desktop Sync signs in with the same "
        "credentials as for the incoming server"
    ),
    "smtp_other_account": (
        "the router sent through {host} as {login}; Desktop Sync signs in with the same credentials as for "
        "the incoming server"
    ),
    # the plan and the report (services/migration.py)
    "profile_exists_same": "a profile of this name exists with these settings: kept",
    "profile_exists_differs": "a profile of this name exists and is kept as it is, although its {settings} differ",
    "not_selected": "not selected",
    "cannot_be_migrated": "cannot be migrated",
    "no_profile": "no profile",
    "clear_text_blocked": (
        "blocked: the router used no SSL/TLS, and the migration does not turn clear-text connections on by "
        "itself - allow clear text for this profile (the wizard's tick, or --allow-insecure NAME) to migrate it"
    ),
    "profile_not_selected": "its profile {profile} is not selected",
    "profile_blocked": "its profile {profile} is blocked until clear text is allowed for it",
    "profile_unusable": "its profile {profile} is cannot be migrated",
    "owner_has_other_mailbox_kind": (
        "{owner} already has the mailbox {address}, and a {kind} has one mailbox: change it by hand if the "
        "migrated address should replace it"
    ),
    "address_belongs_to_owner": (
        "a mailbox with this address exists and belongs to a user or queue, not a forward mailbox"
    ),
    "forward_exists": "a forward mailbox with this address exists",
    "address_belongs_to_other": (
        "a mailbox with this address belongs to someone else: map it by hand (desktop-sync mailbox map)"
    ),
    "owner_has_mailbox": "{owner} already has the mailbox {address}",
    "already_migrated": "already migrated",
    "moves_profile": "moves from profile {profile}; synchronization stops until Test & Enable",
    "mapped_to": "mapped to {owner}",
    "mapped_to_nobody": "mapped to nobody",
    "owner_gone": "{owner} no longer exists",
    "created_pending": "on profile {profile}; pending approval",
    "password_stored": "in the system keyring",
    "password_unused": "not stored: nothing that signs in with it was migrated",
    "password_needed": "no password yet for {what}",
    "service_account": "the service account {login}",
    # the technical summary of a created profile (the report's profiles)
    "profile_summary": "{kind}, incoming {incoming} {security}, {outgoing}, auth {auth}, {credentials}",
    "profile_summary_insecure": (
        "{kind}, incoming {incoming} {security}, {outgoing}, auth {auth}, {credentials}, allow insecure"
    ),
    "summary_outgoing": "outgoing {host}:{port} {security}",
    "summary_outgoing_ews": "outgoing through EWS",
    "summary_no_outgoing": "no outgoing server",
    "summary_credentials_profile": "credentials on the profile",
    "summary_credentials_profile_login": "credentials on the profile ({login})",
    "summary_credentials_mailbox": "credentials on the mailbox",
    "summary_credentials_mailbox_login": "credentials on the mailbox ({login})",
}
MAX_LISTED_PROBLEMS = 12  # more problems in one reason than a provider or a profile has fields: joined untranslated
# Several problems in one reason, numbered so that the GUI reads each back out and translates it on its
# own even when a problem says "; " itself: "(1) {p1}; (2) {p2}".
MIGRATION_TEXTS.update(
    {
        f"problems_{count}": "; ".join(f"({n}) {{p{n}}}" for n in range(1, count + 1))
        for count in range(2, MAX_LISTED_PROBLEMS + 1)
    }
)
# One of a merged profile's settings refused by the profile's checks (a FIELD_ERRORS text): one
# template per setting, so that the setting's name tells it from any other text "...: ...".
PROFILE_SETTINGS = (
    "name", "kind", "incoming_host", "incoming_port", "incoming_security", "outgoing_host", "outgoing_port",
    "outgoing_security", "ews_url", "auth", "credentials_on", "login", "max_connections", "timeout_seconds",
    "min_poll_seconds", "process_email_from", "ca_file", "allow_insecure", "delete_after_download",
    "tracking_token_prefix", "tracked_category", "tag_undeliverable", "oauth_provider", "client_id", "tenant",
    "issuer", "scopes", "authority_host",
)  # ProfileInput's fields (a test checks that they are the same)
MIGRATION_TEXTS.update({f"setting_refused_{name}": f"{name}: {{message}}" for name in PROFILE_SETTINGS})
# A clear-text warning that is why its profile is not migrated.
MIGRATION_TEXTS["warning_blocked"] = "{warning}; " + MIGRATION_TEXTS["clear_text_blocked"]


def joined_problems(problems: Sequence[str]) -> str:
    """Several problems as one reason, "(1) first; (2) second", so that each is translated on its own."""
    if len(problems) == 1:
        return problems[0]
    if len(problems) > MAX_LISTED_PROBLEMS:
        return "; ".join(problems)
    return migration_text(f"problems_{len(problems)}", **{f"p{n}": p for n, p in enumerate(problems, 1)})


def setting_refused(field: str, message: str) -> str:
    """"<setting>: <why the profile's checks refused it>", one of the texts above when the setting is known."""
    if field in PROFILE_SETTINGS:
        return migration_text(f"setting_refused_{field}", message=message)
    return f"{field}: {message}"


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def migration_text(code: str, **facts: object) -> str:
    """The English text of ``code``, filled with ``facts``."""
    return MIGRATION_TEXTS[code].format_map(_Facts({name: str(value) for name, value in facts.items()}))
