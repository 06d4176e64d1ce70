"""A security notice to the account's owner when its second factor changes."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l

from .. import mail
from ..mail import MailError
from ..models import User

log = logging.getLogger(__name__)

SUBJECT = _l("Security notice: two-factor sign-in")


def send(user: User, what) -> None:
    """Queue a mail to the owner; a queue failure is logged and never undoes the change (a
    failed send is retried by the worker, then kept as a failed job)."""
    message = mail.make_message(
        user.email, SUBJECT, "mail/two_factor_notice.txt", locale=user.locale, what=what
    )
    try:
        mail.send_later(message)
    except MailError:
        log.warning("two-factor notice to user %s not queued", user.id)
