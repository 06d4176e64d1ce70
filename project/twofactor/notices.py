"""A security notice to the account's owner when its second factor changes."""

from __future__ import annotations

import logging

from .. import mail
from ..mail import MailError
from ..models import User

log = logging.getLogger(__name__)


def send(user: User, what: str) -> None:
    """Queue a mail to the owner; a queue failure is logged and never undoes the change (a
    failed send is retried by the worker, then kept as a failed job)."""
    message = mail.make_message(
        user.email, "Security notice: two-factor sign-in", "mail/two_factor_notice.txt", what=what
    )
    try:
        mail.send_later(message)
    except MailError:
        log.warning("two-factor notice to user %s not queued", user.id)
