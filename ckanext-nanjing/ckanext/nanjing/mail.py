"""Sending mail, through CKAN's mailer (the `smtp.*` options). A mail that
cannot be sent is logged and answered False, never raised: the step that
asked for it (a request registered, a reminder recorded) is already kept,
and a mail server that is down must not undo it."""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan.lib import mailer

__all__ = ["configured", "send"]

log = logging.getLogger(__name__)


def configured() -> bool:
    """Whether an SMTP server is set; without one, mail is not attempted."""
    return bool(tk.config.get("smtp.server"))


def send(name: str, address: str, subject: str, body: str, about: str,
         headers: dict[str, str] | None = None) -> bool:
    """Mails `body` to `name <address>`; `about` names the matter in the log."""
    try:
        mailer.mail_recipient(name, address, subject, body, headers=headers)
        return True
    except (mailer.MailerException, OSError, UnicodeError):
        # OSError: CKAN's mailer lets smtplib's errors out of its `finally`
        # (a server that hangs up), and smtplib's errors are OSErrors.
        # UnicodeError: an address smtplib cannot send to without SMTPUTF8.
        log.exception("Could not mail %s about %s", address, about)
        return False
