"""Outgoing mail through Flask-Mailman: SMTP when MAIL_SERVER is set, else files in var/mail/.

Without a mail server (dev, a fresh checkout) each message is written to `var/mail/` as one
`.eml` file, so a developer can follow a reset or confirmation link with no setup at all.
Views call `send_later`: the message is rendered in the request (links need its URL) and
handed to the job queue, and the worker sends it, retrying with backoff. `send` is the
synchronous step the job runs; it raises MailError after logging the failure with the id of
the request the message came from.
"""

from __future__ import annotations

import os
import secrets
import ssl
from email.utils import formataddr, parseaddr
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_mailman import EmailMessage, Mail
from flask_mailman.backends.base import BaseEmailBackend
from flask_mailman.backends.smtp import EmailBackend as SMTPBackend
from flask_mailman.utils import DNS_NAME

from . import i18n, jobs, metrics
from .config import ConfigError
from .deploy.layout import PROJECT_ROOT, Layout
from .models import utcnow
from .user_errors import UserError

mail = Mail()


class MailError(UserError):
    """A message could not be handed to the mail server (or written to the mail folder)."""


def init_app(app: Flask) -> None:
    if app.config["MAIL_USE_TLS"] and app.config["MAIL_USE_SSL"]:
        raise ConfigError("set only one of APP_MAIL_USE_TLS (STARTTLS) and APP_MAIL_USE_SSL")
    ca_file = app.config["MAIL_CA_FILE"]
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"APP_MAIL_CA_FILE {ca_file!r} is not a readable file")
    app.config["MAIL_DEFAULT_SENDER"] = named_sender(app.config)
    mail.init_app(app)


def named_sender(config) -> str:
    """MAIL_DEFAULT_SENDER, named after the site (SITE_NAME) when it is a bare address."""
    name, address = parseaddr(config["MAIL_DEFAULT_SENDER"])
    return formataddr((name or config["SITE_NAME"], address))


def mail_dir() -> Path:
    return Layout(PROJECT_ROOT, Path(current_app.config["VAR_DIR"])).mail_dir


def make_message(
    to: str, subject, template: str, *, locale: str | None = None, **context
) -> EmailMessage:
    """A plain-text message whose body is the rendered `template`, both it and `subject` (a
    lazy_gettext string) in the recipient's `locale` (their column; None: the default).

    Rendered here, in the request: the worker only sends what it is handed."""
    with i18n.in_locale(locale):
        return EmailMessage(
            subject=str(subject),
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
        metrics.mail_failed()
        current_app.logger.error(
            "mail %r to %s not sent: %s: %s",
            message.subject,
            ", ".join(message.to),
            type(exc).__name__,
            exc,
        )
        raise MailError("the mail server could not be reached; try again later") from None
    metrics.mail_sent()


def connection() -> BaseEmailBackend:
    """The backend for the current settings, read at send time (not when the app was built)."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return FolderBackend(mail_dir())
    return mail.get_connection(
        backend=VerifiedSMTPBackend,
        ca_file=config["MAIL_CA_FILE"],
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"],
        use_tls=config["MAIL_USE_TLS"],
        use_ssl=config["MAIL_USE_SSL"],
        timeout=config["MAIL_TIMEOUT"],
    )


def verified_context(ca_file: str = "") -> ssl.SSLContext:
    """Certificate and host name checked: the system's CAs, or only `ca_file` when given."""
    return ssl.create_default_context(cafile=ca_file or None)


class VerifiedSMTPBackend(SMTPBackend):
    """Flask-Mailman's SMTP backend with STARTTLS verifying the server as implicit TLS does.

    Flask-Mailman 1.1.1 calls `starttls(context=None)`, and smtplib then accepts any
    certificate: whoever sits between us and the relay would get the SMTP password and every
    reset link. Here both STARTTLS and implicit TLS use one verifying context.
    """

    def __init__(self, ca_file: str = "", **kwargs):
        super().__init__(**kwargs)
        self.ca_file = ca_file

    @property
    def ssl_context(self) -> ssl.SSLContext:
        return verified_context(self.ca_file)

    def open(self) -> bool:
        if self.connection:
            return False
        params = {"local_hostname": DNS_NAME.get_fqdn(), "timeout": self.timeout}
        if self.use_ssl:
            params["context"] = self.ssl_context
        connection = self.connection_class(self.host, self.port, **params)
        try:
            if self.use_tls:
                connection.starttls(context=self.ssl_context)  # checks against self.host
            if self.username and self.password:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        self.connection = connection
        return True


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


# A failed send is tried again after 10, 20, 40 and 80 s (2.5 minutes in all), then the job
# is logged with the request's id and kept as failed (`scripts/ctl jobs`).
SEND_RETRIES = 4
SEND_RETRY_DELAY = 10
SEND_RETRY_BACKOFF = 2


def send_later(message: EmailMessage) -> None:
    """Queue `message` for the worker: the request never waits for the mail server.

    Raises MailError when the queue itself is down, so the view can say the mail did not go.
    """
    fields = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
    }
    try:
        deliver(fields)
    except jobs.QueueUnavailable:
        raise MailError("the mail queue is unavailable; try again later") from None


@jobs.task(retries=SEND_RETRIES, retry_delay=SEND_RETRY_DELAY, retry_backoff=SEND_RETRY_BACKOFF)
def deliver(fields: dict) -> None:
    """The job: send one message (its fields, not the object: jobs carry plain data)."""
    send(EmailMessage(**fields))
