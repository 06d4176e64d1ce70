"""Security notices: a message to the owner after each change to their account's credentials.

Each kind is a subject and a template. `send_notice` is the one way to send them: it puts the
message on the job queue, which sends (and retries) it outside the request.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from . import links, mail
from .models import User, utcnow

log = logging.getLogger(__name__)

# kind: (subject, template under templates/mail/, the page its "not you?" link opens)
KINDS = {
    "password_changed": (
        _l("Your password was changed"),
        "mail/notice_password_changed.txt",
        "auth.forgot_password",
    ),
    "password_reset": (
        _l("Your password was reset"),
        "mail/notice_password_reset.txt",
        "auth.forgot_password",
    ),
    "email_changed": (
        _l("The address of your account was changed"),
        "mail/notice_email_changed.txt",
        None,  # the old address can no longer reset the password: nothing to link to
    ),
    "token_created": (
        _l("A new API token was created"),
        "mail/notice_token_created.txt",
        "account.settings",
    ),
}


def send_notice(user: User, kind: str, to: str | None = None) -> None:
    """Tell the owner of `user` about `kind`, at `to` (default: the account's address).

    Queued for the job worker: the change is done, and a mail server (or queue) failure must
    not undo it or show in the answer (it is logged).
    """
    subject, template, endpoint = KINDS[kind]
    context = {
        "user": user,
        "when": utcnow(),  # formatted in the template, for the recipient's language
        "site": urlsplit(current_app.config["PUBLIC_URL"]).netloc,
        "link": links.external_url(endpoint) if endpoint else None,
    }
    message = mail.make_message(to or user.email, subject, template, locale=user.locale, **context)
    try:
        mail.send_later(message)  # the worker sends it; retried there if the server is down
    except mail.MailError:
        log.warning(
            "security notice %s for user %s not queued: the job queue is down", kind, user.id
        )
