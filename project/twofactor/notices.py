"""A security notice to the account's owner when its second factor changes."""

from __future__ import annotations

import logging

from .. import mail
from ..mail import MailError
from ..models import User

log = logging.getLogger(__name__)


def send(user: User, what: str) -> None:
    """Mail the owner; a mail failure is logged and never undoes the change."""
    message = mail.make_message(
        user.email, "Security notice: two-factor sign-in", "mail/two_factor_notice.txt", what=what
    )
    try:
        mail.send(message)
    except MailError:
        log.warning("two-factor notice to user %s not sent", user.id)
