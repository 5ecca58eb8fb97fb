"""What the commands print: the JSON shapes of ``--json`` and the words and tables of the text output."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from desktop_sync.cli.context import Context
from desktop_sync.domain.mailbox_state import DisplayState, StateFacts
from desktop_sync.domain.model import CredentialsOn, EmailActivity, OutgoingEmail, Profile, ProfileKind
from desktop_sync.domain.signin import OAuthProvider
from desktop_sync.domain.sync_filters import group_to_json
from desktop_sync.services.mailboxes import MailboxView
from desktop_sync.services.monitoring import StatusView
from desktop_sync.services.signin import SignInResult, SignInState
from desktop_sync.services.sync_control import EnablementReport
from desktop_sync.services.sync_filters import FilterView


def print_table(ctx: Context, rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        ctx.print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def counted(count: int, thing: str) -> str:
    """``count`` things in words: "1 alert", "0 alerts", "2 alerts" (every noun here takes an s)."""
    return f"{count:,} {thing}" if count == 1 else f"{count:,} {thing}s"


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [json_value(v) for v in value]
    return value


def action_counts(actions: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for action in actions:
        counts[type(action).__name__] = counts.get(type(action).__name__, 0) + 1
    return dict(sorted(counts.items()))


def profile_json(p: Profile) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind.value,
        "incoming_host": p.incoming.host,
        "incoming_port": p.incoming.port,
        "incoming_security": p.incoming.security.value,
        "outgoing_host": p.outgoing.host if p.outgoing else None,
        "outgoing_port": p.outgoing.port if p.outgoing else None,
        "outgoing_security": p.outgoing.security.value if p.outgoing else None,
        "ews_url": p.ews_url,
        "auth": p.auth.value,
        "credentials_on": p.credentials_on.value,
        "login": p.login,
        "max_connections": p.max_connections,
        "timeout": p.timeout_seconds,
        "min_poll": p.min_poll_seconds,
        "process_email_from": p.process_email_from.isoformat() if p.process_email_from else None,
        "ca_file": p.ca_file,
        "allow_insecure": p.allow_insecure,
        "delete_after_download": p.delete_after_download,
        "tracking_token_prefix": p.tracking_token_prefix,
        "impersonation": p.kind is ProfileKind.EXCHANGE and p.credentials_on is CredentialsOn.PROFILE,
        "tracked_category": p.tracked_category if p.kind.is_exchange else None,
        "tag_undeliverable": p.tag_undeliverable,
        "oauth": oauth_json(p),
    }


def oauth_json(p: Profile) -> dict[str, Any] | None:
    """A profile's OAuth 2.0 settings (nothing here is secret) and the scopes its sign-ins ask for."""
    oauth = p.oauth
    if oauth is None:
        return None
    microsoft = oauth.provider is OAuthProvider.MICROSOFT
    on_profile = p.credentials_on is CredentialsOn.PROFILE
    return {
        "provider": oauth.provider.value,
        "client_id": oauth.client_id,
        "tenant": oauth.tenant if microsoft else None,
        "issuer": oauth.issuer or None,
        "authority_host": oauth.authority_host if microsoft else None,
        "scopes": list(oauth.scopes),  # as set on the profile; [] means the provider's defaults
        # what a sign-in asks for: the application's own token for a service account, else a person's
        "sign_in_scopes": list(oauth.app_scopes_for(p.protocols) if on_profile else oauth.scopes_for(p.protocols)),
        "sign_in": "profile" if on_profile else "mailbox",
    }


def sign_in_json(state: SignInState | None) -> dict[str, Any] | None:
    """Whether a sign-in is stored and whether it is needed again; None for a password profile."""
    if state is None:
        return None
    return {"signed_in": state.signed_in, "needs_sign_in": state.needs_sign_in}


def sign_in_result_json(result: SignInResult) -> dict[str, Any]:
    return {
        "account": result.account,
        "scopes": list(result.scopes),
        "expires_at": result.expires_at.isoformat(),
        "mailboxes": list(result.mailboxes),
        "alerts_cleared": result.alerts_cleared,
    }


def status_json(view: StatusView) -> dict[str, Any]:
    """The mailbox's state as the application shows it, and what the engine last did."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    status, shown = view.status, view.shown
    progress = shown.progress
    left = progress.seconds_left if progress else None
    return {
        "state": shown.state.value,
        "engine_state": status.state.value,
        "last_sync_at": when(status.last_sync_at),
        "next_sync_at": when(shown.next_sync_at),
        "backoff_until": when(shown.backoff_until),
        "items_synced": status.items_synced,
        "last_error_code": status.last_error_code,
        "last_error": status.last_error,
        "import_done": progress.done if progress else None,
        "import_total": progress.total if progress else None,
        "import_eta_seconds": round(left) if left is not None else None,
    }


STATE_TEXT = {
    DisplayState.NEEDS_SIGN_IN: "Needs sign-in",
    DisplayState.NEEDS_ATTENTION: "Needs attention",
    DisplayState.BACKING_OFF: "Backing off",
    DisplayState.PENDING_APPROVAL: "Pending approval",
    DisplayState.NOT_TESTED: "Not tested",
    DisplayState.DISABLED: "Disabled",
    DisplayState.IMPORT_PAUSED: "Import paused",
    DisplayState.IMPORTING: "Importing",
    DisplayState.SYNCING: "Syncing",
    DisplayState.IDLE: "Idle",
}


def state_text(shown: StateFacts) -> str:
    """The state in words, with its time: what ``mailbox list`` prints in its STATE column."""
    text = STATE_TEXT[shown.state]
    if shown.state is DisplayState.BACKING_OFF and shown.backoff_until:
        text += f" (until {local_time(shown.backoff_until)})"
    elif shown.state in (DisplayState.IMPORTING, DisplayState.IMPORT_PAUSED) and shown.progress is not None:
        progress = shown.progress
        facts = f"{progress.done:,} of {progress.total:,}" if progress.total else f"{progress.done:,} so far"
        if progress.seconds_left is not None:
            facts += f", {time_left(progress.seconds_left)}"
        text += f" ({facts})"
    return text


def time_left(seconds: float) -> str:
    """A rough time left, in the words of the Mailboxes view: "about 3 min left", "about 2 h left"."""
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    return f"about {minutes} min left" if minutes < 90 else f"about {round(minutes / 60)} h left"


def mailbox_json(view: MailboxView) -> dict[str, Any]:
    m = view.mailbox

    def channel(state: Any) -> dict[str, Any]:
        return {
            "method": state.method.value,
            "enabled": state.enabled,
            "test_status": state.test_status.value,
            "failed_step": state.failed_step,
        }

    effective = view.effective_process_email_from
    return {
        "address": m.address,
        "name": m.name,
        "profile": view.profile.name,
        "user": view.owner.email if view.owner and view.owner.kind == "user" else None,
        "queue": view.owner.email if view.owner and view.owner.kind == "queue" else None,
        "login": m.login,
        "approval": m.approval.value,
        "incoming": channel(m.incoming),
        "outgoing": channel(m.outgoing),
        "act": channel(m.act),
        "process_email_from": m.process_email_from.isoformat() if m.process_email_from else None,
        "effective_process_email_from": effective.isoformat() if effective else None,
        "has_password": view.has_password,
    }


def report_json(report: EnablementReport) -> dict[str, Any]:
    return {
        "address": report.address,
        "approved": report.approved,
        "ok": report.ok,
        "channels": [
            {
                "channel": c.channel.value,
                "status": c.status.value,
                "enabled": c.enabled,
                "failed_step": c.failed_step,
                "error_code": c.error_code,
                "detail": c.detail,
                "steps": [
                    {
                        "step": s.step.value,
                        "ok": s.ok,
                        "detail": s.detail,
                        "error_code": s.error_code,
                        "elapsed_ms": round(s.elapsed_ms, 1),
                    }
                    for s in c.steps
                ],
            }
            for c in report.channels
        ],
    }


def outgoing_json(email: OutgoingEmail) -> dict[str, Any]:
    return {
        "id": email.id,
        "from": email.sender,
        "to": list(email.to),
        "cc": list(email.cc),
        "bcc": list(email.bcc),
        "subject": email.subject,
        "message_id": email.message_id,
        "status": email.status.value,
        "step": email.send_step.value if email.send_step else None,
        "attempts": email.attempts,
    }


def activity_json(a: EmailActivity) -> dict[str, Any]:
    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    sender = next((p.address for p in a.parties if p.role.value == "from"), None)
    recipients = [p.address for p in a.parties if p.role.value in ("to", "cc", "bcc")]
    return {
        "id": a.id,
        "direction": a.direction.value,
        "status": a.status.value,
        "subject": a.subject,
        "message_id": a.message_id,
        "mailbox": a.mailbox,
        "sender": sender,
        "recipients": recipients,
        "attachment_count": len(a.attachments),
        "sent_at": when(a.sent_at),
        "received_at": when(a.received_at),
        "tracked_reason": a.tracked_reason,
        "correlation_method": a.correlation_method,
        "correlated_activity": a.correlated_activity_id,
        "regarding": {"type": a.regarding[0].value, "id": a.regarding[1]} if a.regarding else None,
        "parties": [
            {
                "role": p.role.value,
                "address": p.address,
                "name": p.display_name,
                "record": {"type": p.record_type.value, "id": p.record_id} if p.record_type else None,
            }
            for p in a.parties
        ],
        "attachments": [
            {
                "filename": t.filename,
                "content_type": t.content_type,
                "size": t.size,
                "stored": t.stored,
                "skipped_reason": t.skipped_reason,
            }
            for t in a.attachments
        ],
    }


def filter_json(view: FilterView) -> dict[str, Any]:
    f = view.sync_filter
    return {
        "id": f.id,
        "user": view.user.email,
        "type": f.record_type.value,
        "name": f.name,
        "active": f.active,
        "match": f.group.match.value,
        "rules": [str(r) for r in f.group.rules],
        "definition": json.loads(group_to_json(f.group)),
    }
