"""Security notices: a message to the owner after each change to their account's credentials.

Each kind is a subject and a template. `send_notice` is the one way to send them, so that it
can later hand the message to a job queue instead of a thread.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from . import links, mail
from .models import User, utcnow

# kind: (subject, template under templates/mail/, the page its "not you?" link opens)
KINDS = {
    "password_changed": (
        "Your password was changed",
        "mail/notice_password_changed.txt",
        "auth.forgot_password",
    ),
    "password_reset": (
        "Your password was reset",
        "mail/notice_password_reset.txt",
        "auth.forgot_password",
    ),
    "email_changed": (
        "The address of your account was changed",
        "mail/notice_email_changed.txt",
        None,  # the old address can no longer reset the password: nothing to link to
    ),
    "token_created": (
        "A new API token was created",
        "mail/notice_token_created.txt",
        "account.settings",
    ),
}


def send_notice(user: User, kind: str, to: str | None = None) -> None:
    """Tell the owner of `user` about `kind`, at `to` (default: the account's address).

    Sent in the background: the change is done, and a mail server failure must not undo it
    or show in the answer (it is logged).
    """
    subject, template, endpoint = KINDS[kind]
    context = {
        "user": user,
        "when": f"{utcnow():%Y-%m-%d %H:%M} UTC",
        "site": urlsplit(current_app.config["PUBLIC_URL"]).netloc,
        "link": links.external_url(endpoint) if endpoint else None,
    }
    mail.send_in_background(mail.make_message(to or user.email, subject, template, **context))
