"""The plan and the report rendered for the command line and for saving: English text, and JSON.

The wizard renders the same data in the interface's language (``desktop_sync/ui/migration/``), each
reason and warning through ``domain/migration_texts.py``'s catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from desktop_sync.domain.email_router.files import size_text
from desktop_sync.domain.email_router.model import Account, RouterWarning
from desktop_sync.domain.email_router.plan import MigrationPlan, MigrationStep, PlannedMailbox
from desktop_sync.domain.email_router.report import MigrationReport, Outcome, Result
from desktop_sync.domain.migration_texts import migration_text
from desktop_sync.domain.model import Profile, ProfileKind


def plan_dict(plan: MigrationPlan) -> dict[str, Any]:
    return {
        "routers": list(plan.routers),
        "router_profiles": [
            {
                "direction": p.role.value,
                "name": p.name,
                "settings": p.settings.describe(),
                "providers": len(p.sources),
                "mailboxes": list(p.addresses),
                "user_ids": list(p.user_ids),
                "queue_ids": list(p.queue_ids),
                "unknown_elements": [{"name": s.name, "value": s.value} for s in p.unknown],
                "problem": p.problem,
            }
            for p in plan.reading.incoming + plan.reading.outgoing
        ],
        "profiles": [
            {
                "name": p.name,
                "action": p.action.value,
                "detail": p.detail,
                "incoming": p.merged.incoming,
                "outgoing": p.merged.outgoing,
                **_profile_fields(p.merged.profile),
            }
            for p in plan.profiles
        ],
        "forward_mailboxes": [_planned_mailbox_json(m) for m in plan.forward_mailboxes],
        "mailboxes": [_planned_mailbox_json(m) for m in plan.mailboxes],
        "skipped": [{"subject": s.subject, "kind": s.kind, "reason": s.reason} for s in plan.skipped],
        "accounts": [_account_json(a) for a in plan.accounts],
        "warnings": [_warning_json(w) for w in plan.warnings],
    }

def plan_text(plan: MigrationPlan) -> str:
    lines = [f"E-mail Router migration plan ({len(plan.routers)} router(s)); nothing has been written."]
    for summary in plan.reading.routers:
        files = ", ".join(f"{name} {size_text(size)}" for name, size in summary.sizes)
        lines.append(f"  {summary.directory}: {summary.providers} provider(s); {files}")
        if summary.deployments:
            lines.append("    CRM deployment(s): " + ", ".join(summary.deployments))
    lines.append("")
    lines.append("Router profiles found:")
    for p in plan.reading.incoming + plan.reading.outgoing:
        lines.append(f"  {p.label}: {p.settings.describe()}; {len(p.sources)} provider(s)")
        lines.extend(f"    {_warning_line(w)}" for w in plan.reading.warnings_for(p.label))
    lines.append("")
    lines.append("Email server profiles (each merges the incoming and outgoing profiles a mailbox used):")
    if not plan.profiles:
        lines.append("  none")
    for planned in plan.profiles:
        merged = planned.merged
        lines.append(f"  [{planned.action.value}] {planned.name}")
        pair = " + ".join(x for x in (merged.incoming, merged.outgoing) if x)
        lines.append(f"    from: {pair}" + (" (for forward mailboxes)" if merged.forward_only else ""))
        if merged.profile is not None:
            lines.append(f"    {profile_summary(merged.profile)}")
        if planned.detail:
            lines.append(f"    {planned.detail}")
        lines.extend(f"    {_warning_line(w)}" for w in plan.warnings if w.profile == planned.name)
    lines.append("")
    lines.append("Mailboxes (forward mailboxes, then queues, then users):")
    if not (plan.forward_mailboxes or plan.mailboxes):
        lines.append("  none")
    for planned_mailbox in plan.forward_mailboxes + plan.mailboxes:
        lines.append(f"  {_mailbox_line(planned_mailbox)}")
    if plan.skipped:
        lines.append("")
        lines.append("Not migrated:")
        lines.extend(f"  {s.kind} {s.subject}: {s.reason}" for s in plan.skipped)
    lines.append("")
    if plan.accounts:
        lines.append(
            "Passwords to enter (the router's are encrypted and are not migrated). With --password-stdin, "
            "give one line per account in this order; an empty line skips one:"
        )
        lines.extend(f"  {i}. {a.label}" for i, a in enumerate(plan.accounts, 1))
    else:
        lines.append("No password to enter.")
    general = [w for w in plan.warnings if w.profile is None]
    if general:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  {_warning_line(w)}" for w in general)
    return "\n".join(lines) + "\n"


def _planned_mailbox_json(planned: PlannedMailbox) -> dict[str, Any]:
    m = planned.mailbox
    return {
        "address": m.address,
        "kind": m.kind.value,
        "owner": m.owner.email if m.owner else None,
        "owner_name": m.owner.name if m.owner else None,
        "profile": m.profile,
        "incoming": m.incoming,
        "outgoing": m.outgoing,
        "login": m.login,
        "action": planned.action.value,
        "detail": planned.detail,
        "threshold_date": m.threshold.isoformat() if m.threshold else None,
        "threshold_unset": m.threshold_unset,
    }


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "login": account.login,
        "server": account.server,
        "credentials_on": account.scope.value,
        "profiles": list(account.profiles),
        "mailboxes": list(account.mailboxes),
    }


def _warning_json(warning: RouterWarning) -> dict[str, Any]:
    return {
        "code": warning.code.value,
        "profile": warning.profile,
        "blocking": warning.blocking,
        "message": warning.message,
    }


def _warning_line(warning: RouterWarning) -> str:
    return ("not migrated: " if warning.blocking and "not migrated" not in warning.message else "warning: ") + (
        warning.message
    )


def _profile_fields(profile: Profile | None) -> dict[str, Any]:
    if profile is None:
        return {}
    return {
        "kind": profile.kind.value,
        "incoming_host": profile.incoming.host,
        "incoming_port": profile.incoming.port,
        "incoming_security": profile.incoming.security.value,
        "outgoing_host": profile.outgoing.host if profile.outgoing else None,
        "outgoing_port": profile.outgoing.port if profile.outgoing else None,
        "outgoing_security": profile.outgoing.security.value if profile.outgoing else None,
        "ews_url": profile.ews_url,
        "auth": profile.auth.value,
        "credentials_on": profile.credentials_on.value,
        "login": profile.login,
        "allow_insecure": profile.allow_insecure,
        "delete_after_download": profile.delete_after_download,
    }


def profile_summary(p: Profile) -> str:
    """A created profile's settings in one line, made of migration texts so that the wizard translates it."""
    incoming = p.ews_url if p.kind is ProfileKind.EXCHANGE else f"{p.incoming.host}:{p.incoming.port}"
    if p.outgoing:
        outgoing = migration_text(
            "summary_outgoing", host=p.outgoing.host, port=p.outgoing.port, security=p.outgoing.security.value
        )
    elif p.kind is ProfileKind.EXCHANGE:
        outgoing = migration_text("summary_outgoing_ews")
    else:
        outgoing = migration_text("summary_no_outgoing")
    credentials = migration_text(
        f"summary_credentials_{p.credentials_on.value}" + ("_login" if p.login else ""), login=p.login
    )
    return migration_text(
        "profile_summary_insecure" if p.allow_insecure else "profile_summary",
        kind=p.kind.value,
        incoming=incoming,
        security=p.incoming.security.value,
        outgoing=outgoing,
        auth=p.auth.value,
        credentials=credentials,
    )


def _mailbox_line(planned: PlannedMailbox) -> str:
    m = planned.mailbox
    owner = f" ({m.owner.label})" if m.owner else ""
    text = f"[{planned.action.value}] {m.kind.value} {m.address}{owner} -> {m.profile}"
    if m.threshold is not None:
        text += f"; router ThresholdDate {m.threshold.isoformat()}"
    elif m.threshold_unset:
        text += "; router ThresholdDate unset (0001-01-01)"
    return text + (f"; {planned.detail}" if planned.detail else "")


def report_dict(report: MigrationReport) -> dict[str, Any]:
    def outcomes(items: Sequence[Outcome]) -> list[dict[str, str]]:
        return [{"subject": o.subject, "kind": o.kind, "result": o.result.value, "detail": o.detail} for o in items]

    return {
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "process_email_from": report.process_email_from.isoformat(),
        "routers": list(report.routers),
        "profiles": outcomes(report.profiles),
        "forward_mailboxes": outcomes(report.forward_mailboxes),
        "mailboxes": outcomes(report.mailboxes),
        "credentials": outcomes(report.credentials),
        "skipped": [{"subject": s.subject, "kind": s.kind, "reason": s.reason} for s in report.skipped],
        "warnings": [_warning_json(w) for w in report.warnings],
        "ready_for_test_and_enable": list(report.ready_for_test),
        "next_steps": list(report.next_steps),
    }


def report_json(report: MigrationReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def report_summary(report: MigrationReport) -> str:
    """One line: how many profiles and mailboxes were created, kept, updated, skipped."""
    return (
        f"Profiles: {sum(o.result is Result.CREATED for o in report.profiles)} created, "
        f"{sum(o.result is Result.KEPT for o in report.profiles)} already there. "
        f"Mailboxes: {report.count(Result.CREATED)} created, {report.count(Result.UPDATED)} updated, "
        f"{report.count(Result.UNCHANGED)} unchanged, {report.count(Result.SKIPPED)} skipped."
    )


def report_text(report: MigrationReport) -> str:
    lines = [
        f"E-mail Router migration report, {report.started_at.isoformat(timespec='seconds')}",
        "Routers: " + ", ".join(report.routers),
        report.summary(),
    ]
    for title, items in (
        (MigrationStep.PROFILES.value, report.profiles),
        (MigrationStep.FORWARD_MAILBOXES.value, report.forward_mailboxes),
        (MigrationStep.MAILBOXES.value, report.mailboxes),
        ("Credentials", report.credentials),
    ):
        lines.append("")
        lines.append(f"{title}:")
        if not items:
            lines.append("  none")
        lines.extend(f"  [{o.result.value}] {o.subject}" + (f": {o.detail}" if o.detail else "") for o in items)
    if report.skipped:
        lines.append("")
        lines.append("Not migrated:")
        lines.extend(f"  {s.kind} {s.subject}: {s.reason}" for s in report.skipped)
    if report.warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(
            f"  {w.profile + ': ' if w.profile else ''}{_warning_line(w)}" for w in report.warnings if not w.blocking
        )
    lines.append("")
    lines.append("Next steps:")
    lines.extend(f"  - {step}" for step in report.next_steps)
    return "\n".join(lines) + "\n"
