"""Outgoing mail through Flask-Mailman: SMTP when MAIL_SERVER is set, else files in var/mail/.

Without a mail server (dev, a fresh checkout) each message is written to `var/mail/` as one
`.eml` file, so a developer can follow a reset or confirmation link with no setup at all.
`send` raises MailError (after logging it with the request id) so that a view can tell the user
and leave nothing half done; `send_in_background` is for answers that must not depend on it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from email.utils import formataddr, parseaddr
from pathlib import Path

from flask import Flask, current_app, g, render_template, url_for
from flask_mailman import EmailMessage, Mail
from flask_mailman.backends.base import BaseEmailBackend

from .config import ConfigError
from .deploy.layout import PROJECT_ROOT, Layout
from .logs import current_request_id
from .models import utcnow
from .user_errors import UserError

mail = Mail()


class MailError(UserError):
    """A message could not be handed to the mail server (or written to the mail folder)."""


def init_app(app: Flask) -> None:
    if app.config["MAIL_USE_TLS"] and app.config["MAIL_USE_SSL"]:
        raise ConfigError("set only one of APP_MAIL_USE_TLS (STARTTLS) and APP_MAIL_USE_SSL")
    app.config["MAIL_DEFAULT_SENDER"] = named_sender(app.config)
    mail.init_app(app)


def named_sender(config) -> str:
    """MAIL_DEFAULT_SENDER, named after the site (SITE_NAME) when it is a bare address."""
    name, address = parseaddr(config["MAIL_DEFAULT_SENDER"])
    return formataddr((name or config["SITE_NAME"], address))


def mail_dir() -> Path:
    return Layout(PROJECT_ROOT, Path(current_app.config["VAR_DIR"])).mail_dir


def external_url(endpoint: str, **values) -> str:
    """Absolute URL for a link in a message.

    PUBLIC_URL, when set, wins over the request's Host header: a forged Host must not turn a
    reset link into one that hands the token to someone else's site.
    """
    base = current_app.config.get("PUBLIC_URL", "")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def make_message(to: str, subject: str, template: str, **context) -> EmailMessage:
    """A plain-text message whose body is the rendered `template`."""
    return EmailMessage(
        subject=subject,
        body=render_template(template, **context),
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[to],
    )


def send(message: EmailMessage) -> None:
    """Hand `message` to the mail server (or the mail folder); MailError when that fails."""
    try:
        with connection() as backend:  # closes the socket also when sending fails
            backend.send_messages([message])
    except OSError as exc:  # smtplib.SMTPException is an OSError too
        current_app.logger.error(
            "mail %r to %s not sent: %s: %s",
            message.subject,
            ", ".join(message.to),
            type(exc).__name__,
            exc,
        )
        raise MailError("the mail server could not be reached; try again later") from None


def connection() -> BaseEmailBackend:
    """The backend for the current settings, read at send time (not when the app was built)."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return FolderBackend(mail_dir())
    return mail.get_connection(
        backend="smtp",
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"],
        use_tls=config["MAIL_USE_TLS"],
        use_ssl=config["MAIL_USE_SSL"],
        timeout=config["MAIL_TIMEOUT"],
    )


class FolderBackend(BaseEmailBackend):
    """Writes each message to its own .eml file, which any mail client opens."""

    def __init__(self, folder: Path, **kwargs):
        super().__init__(**kwargs)
        self.folder = folder

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            write_eml(self.folder, message.message().as_bytes())
        return len(email_messages)


def write_eml(folder: Path, data: bytes) -> Path:
    """Write under a temporary name, then rename: a reader never sees half a message."""
    name = f"{utcnow():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)
    return folder / name


def send_in_background(message: EmailMessage) -> threading.Thread:
    """Send from a thread: the answer then neither waits for the mail server nor shows
    whether it was reached (a failure is logged, with this request's id)."""
    app = current_app._get_current_object()
    args = (app, current_request_id(), message)
    thread = threading.Thread(target=send_quietly, args=args, name="mail")
    thread.start()
    return thread


def send_quietly(app: Flask, request_id: str, message: EmailMessage) -> None:
    with app.app_context():
        g.request_id = request_id  # the log lines of this send carry the request's id
        with contextlib.suppress(MailError):  # send() logged it; nobody awaits an answer
            send(message)
