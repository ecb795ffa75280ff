"""Sending invitation e-mails when an SMTP server is configured."""

import logging
import smtplib
from email.message import EmailMessage

from producthq.settings import Settings

log = logging.getLogger(__name__)


def deliver_invitation(settings: Settings, to: str, workspace: str, url: str) -> bool:
    """Mail an invitation link; return False (the link is shown instead) without SMTP."""
    if not settings.smtp_host:
        return False
    msg = EmailMessage()
    msg["Subject"] = f"You are invited to {workspace} on ProductHQ"
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg.set_content(f"Join {workspace} on ProductHQ:\n\n{url}\n\nThe link works once.")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("could not mail the invitation to %s: %s", to, exc)
        return False
    return True
