"""Writing an outgoing email activity as MIME bytes, with its Message-ID fixed in advance."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from desktop_sync.domain.model import OutgoingEmail


def new_message_id(sender: str) -> str:
    """A Message-ID in the sender's domain; generated once, before the first attempt to send."""
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "desktop-sync.invalid"
    return make_msgid(domain=domain)


def compose(email: OutgoingEmail, now: dt.datetime) -> bytes:
    """The RFC 5322 bytes to hand to the server. Bcc recipients are not written in the headers."""
    message = EmailMessage(policy=policy.SMTP)
    local, _, domain = email.sender.partition("@")
    message["From"] = Address(email.sender_name or "", local, domain)
    if email.to:
        message["To"] = ", ".join(email.to)
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = email.message_id
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
    if email.references:
        message["References"] = " ".join(email.references)
    message.set_content(email.body_text or "")
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message.as_bytes()
