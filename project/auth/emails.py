"""Account flows that go through the user's mailbox: password reset and address confirmation.

Every change is one conditional UPDATE on the state the link was issued for, so a link works
once even when it is followed twice at the same moment.
"""

from __future__ import annotations

import logging

import peewee
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import i18n, limits, links, mail
from ..extensions import db
from ..models import User, new_credential_stamp, new_session_token, utcnow
from ..notices import send_notice
from ..passwords import hash_password
from . import sessions, signed_links, throttle
from .service import (
    AccountError,
    AccountTaken,
    check_current_password,
    check_password_rules,
    create_user,
    email_or_none,
    normalize_email,
)
from .signed_links import LinkInvalid

log = logging.getLogger(__name__)


def confirmation_required() -> bool:
    return current_app.config["EMAIL_CONFIRMATION_REQUIRED"]


def must_confirm_first(user: User) -> bool:
    """True when this user may not log in before confirming the address."""
    return confirmation_required() and user.email_confirmed_at is None


def hours(seconds: int) -> int:
    return max(1, round(seconds / 3600))


def request_password_reset(raw_email: str, client_ip: str) -> None:
    """Mail a reset link if an active account has this address; raises limits.Limited.

    The caller's answer is the same whether or not one does: the request counts against the
    mail limits per address asked for and per client either way (never as a failed login,
    so asking cannot lock anyone out), and the mail goes out from a thread, so neither the
    time taken nor a mail server failure shows whether it was sent.
    """
    account = email_or_none(raw_email)
    limits.take_mail(account, client_ip)
    user = active_user_with(account) if account else None
    if user is None:
        log.info("password reset asked for unknown address %r from %s", account, client_ip)
        return
    link = links.external_url("auth.reset_password", token=signed_links.reset_token(user))
    context = {"link": link, "hours": hours(current_app.config["PASSWORD_RESET_MAX_AGE"])}
    message = mail.make_message(
        user.email,
        _l("Reset your password"),
        "mail/reset_password.txt",
        locale=user.locale,
        **context,
    )
    try:
        mail.send_later(message)
    except mail.MailError:  # logged; saying so would tell that the account exists
        return
    log.info("password reset link for user %s from %s", user.id, client_ip)


def active_user_with(address: str) -> User | None:
    return User.get_or_none((User.email == address) & (User.active == True))  # noqa: E712


def reset_password(user: User, new_password: str, client_ip: str) -> None:
    """Set the password from a reset link; ends every session and API token; the owner is
    told by mail. LinkInvalid if used already.

    Following the link proved the mailbox is the user's, so it also confirms the address.
    """
    check_password_rules(new_password)
    token = new_session_token()
    changed = (
        User.update(
            password_hash=hash_password(new_password),
            session_token=token,
            credential_stamp=new_credential_stamp(),
            email_confirmed_at=user.email_confirmed_at or utcnow(),
        )
        .where((User.id == user.id) & (User.password_hash == user.password_hash))
        .execute()
    )
    if changed != 1:
        raise LinkInvalid()
    user.session_token = token
    sessions.end_all(user)  # the caller logs this browser in on a new session
    throttle.clear_account(user.email)
    log.info("password reset for user %s from %s", user.id, client_ip)
    send_notice(user, "password_reset")


def send_confirmation(user: User, address: str | None = None) -> None:
    """Queue a mail with a link confirming `address` (default: the current one); raises
    MailError when the queue is down."""
    mail.send_later(confirmation_message(user, address or user.email))
    log.info("confirmation link for user %s queued", user.id)


def confirmation_message(user: User, address: str):
    link = links.external_url("auth.confirm_email", token=signed_links.confirm_token(user, address))
    template = "mail/confirm_email.txt" if address == user.email else "mail/change_email.txt"
    max_age = current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    context = {"link": link, "hours": hours(max_age), "old": user.email}
    subject = _l("Confirm your email address")
    return mail.make_message(address, subject, template, locale=user.locale, **context)


def register(email: str, password: str, client_ip: str) -> str:
    """Create an account, or tell the owner of a taken address; the normalised address.

    Raises limits.Limited, or AccountError for a weak password or an invalid address. Both
    outcomes do the same work (one argon2 hash, one mail from a thread) and the caller
    answers them alike, so registering does not tell who has an account (F-10).
    """
    limits.take_registration(client_ip)
    address = normalize_email(email)
    try:
        user = create_user(address, password, locale=i18n.current_locale())
    except AccountTaken:
        log.info("registration for a taken address from %s", client_ip)
        send_if_allowed(already_registered_message(address), address, client_ip)
        return address
    log.info("user %s registered from %s", user.id, client_ip)
    send_if_allowed(confirmation_message(user, address), address, client_ip)
    return address


def already_registered_message(address: str):
    pages = {
        "login": links.external_url("auth.login"),
        "forgot": links.external_url("auth.forgot_password"),
    }
    owner = User.get_or_none(User.email == address)  # the one the address belongs to
    locale = owner.locale if owner else None
    template = "mail/already_registered.txt"
    return mail.make_message(address, _l("Your account"), template, locale=locale, **pages)


def send_if_allowed(message, recipient: str, client_ip: str) -> None:
    """Queue the mail unless the recipient or client is over its mail limit. Neither a limit
    nor a queue that is down shows in the answer (the user can ask for a new link later)."""
    try:
        limits.take_mail(recipient, client_ip)
    except limits.Limited:
        log.info("mail to a registering address not sent: limit reached")
        return
    try:
        mail.send_later(message)
    except mail.MailError:
        log.warning("mail to a registering address not queued: the job queue is down")


def request_email_change(user: User, new_email: str, password: str, client_ip: str) -> str:
    """Check the password and mail a link to the new address; nothing changes until it is
    followed. Returns the normalised address; raises Throttled, limits.Limited, AccountError
    or MailError."""
    check_current_password(user, password, client_ip)
    address = email_or_none(new_email)
    if address is None:
        raise AccountError(_("enter a valid email address"))
    if address == user.email:
        raise AccountError(_("that is already your address"))
    if User.select().where(User.email == address).exists():
        raise AccountError(_("another account uses that address"))
    limits.take_mail(address, client_ip, account=user.id)
    send_confirmation(user, address)
    return address


def confirm_email(token: str) -> User:
    """Apply a confirmation link: confirm the address, or switch to the new one.

    Raises LinkInvalid (expired, tampered, used) or AccountError (address taken meanwhile).
    """
    user, address = signed_links.load_confirmation(token)
    now = utcnow()
    if address == user.email:
        query = User.update(email_confirmed_at=now).where(User.email_confirmed_at.is_null())
    else:
        query = User.update(email=address, email_confirmed_at=now)
    query = query.where((User.id == user.id) & (User.email == user.email))
    if apply_update(query) != 1:
        raise LinkInvalid()
    log.info("address confirmed for user %s", user.id)
    confirmed = User.get_by_id(user.id)
    if address != user.email:
        send_notice(confirmed, "email_changed", to=user.email)  # the old address: it lost it
    return confirmed


def apply_update(query) -> int:
    try:
        with db.atomic():
            return query.execute()
    except peewee.IntegrityError:
        raise AccountError(_("another account uses that address now")) from None
