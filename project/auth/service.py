"""Account operations as plain functions, shared by views, the API and `scripts/ctl`."""

from __future__ import annotations

import functools
import logging
import secrets
from pathlib import Path

import peewee
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import User, new_credential_stamp, new_session_token, utcnow
from ..notices import send_notice
from ..passwords import hash_password, needs_rehash, verify_password
from ..user_errors import UserError
from . import sessions, throttle
from .throttle import Throttled

__all__ = ["AccountError", "InvalidCredentials", "Throttled", "authenticate", "create_user"]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# The 10,000 most frequent passwords of zxcvbn 4.5.0's frequency list (MIT), one a line.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common_passwords.txt"

ARGON2_KEYS = ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")

log = logging.getLogger(__name__)


class AccountError(UserError):
    """An account cannot be created or changed as asked."""


def normalize_email(raw: str) -> str:
    """Lower-cased, stripped address; raises AccountError when it is not a valid address."""
    try:
        return normalized_address(raw.strip())
    except EmailNotValidError as exc:
        raise AccountError(f"invalid email address {raw.strip()!r}: {exc}") from None


# A login checks its address three times (the form, the device cookie, the throttle keys);
# parsing one costs ~0.15 ms. A pure function of its input; invalid ones are not kept.
@functools.lru_cache(maxsize=256)
def normalized_address(address: str) -> str:
    return validate_email(address, check_deliverability=False).normalized.lower()


@functools.cache
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split())


def check_password_rules(password: str) -> None:
    """Raise AccountError (never quoting the password) unless `password` is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("password must have at least %(num)d characters", num=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            _("password must have at most %(num)d characters", num=MAX_PASSWORD_LENGTH)
        )
    if password.strip().lower() in common_passwords():
        raise AccountError(_("password is one of the most common passwords; choose another"))


def create_user(
    email: str,
    password: str,
    role: str = "user",
    confirmed: bool = False,
    locale: str | None = None,
) -> User:
    """Create a user; AccountError for a bad email, a weak password or a taken address.

    `confirmed`: the address is known to be right (an operator typed it), no link needed.
    """
    address = normalize_email(email)
    check_password_rules(password)
    fields = {"email": address, "password_hash": hash_password(password), "role": role}
    fields["locale"] = locale  # the language they registered in (None: not chosen)
    try:
        with db.atomic():
            return User.create(**fields, email_confirmed_at=utcnow() if confirmed else None)
    except peewee.IntegrityError:
        raise AccountTaken(f"a user with email {address!r} already exists") from None


class AccountTaken(AccountError):
    """Another account has this address."""


class WrongPassword(AccountError):
    """The password given to confirm a change is not the user's."""


class InvalidCredentials(UserError):
    """Unknown email, wrong password or disabled account: one answer for all three."""

    def __init__(self):
        super().__init__(_("invalid email or password"))


def authenticate(email: str, password: str, client_ip: str, device: str | None = None) -> User:
    """The active user with these credentials; raises Throttled or InvalidCredentials.

    `device`: the nonce of the caller's device cookie for this account (auth/devices.py).
    The attempt is counted before any hashing, so a flood of guesses costs no CPU and
    concurrent guesses cannot pass a limit; after that exactly one argon2 verification runs
    whatever the outcome, so an unknown email answers as slowly as a wrong password.
    """
    account = email_or_none(email)
    attempt = throttle.reserve(account, client_ip, device)
    user = User.get_or_none(User.email == account) if account else None
    if not password_matches(user, password):
        attempt.failed()
        # `account` is None unless the input parsed as an email: a password typed into the
        # email field by mistake is never logged.
        log.info("login failed for %r from %s", account, client_ip)
        raise InvalidCredentials()
    attempt.succeeded()
    upgrade_hash(user, password)
    log.info("login ok for user %s from %s", user.id, client_ip)
    return user


def email_or_none(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except AccountError:
        return None


def password_matches(user: User | None, password: str) -> bool:
    if user is None:
        verify_password(dummy_hash(), password)
        return False
    return verify_password(user.password_hash, password) and user.active


def dummy_hash(config=None) -> str:
    """A hash made with the current parameters, to verify against for unknown emails.

    Made once per process and parameters; `auth` computes it when the app is built, so the
    first unknown-email login is not slower than the others (a timing oracle).
    """
    config = current_app.config if config is None else config
    return _dummy_hash(*(config[key] for key in ARGON2_KEYS))


@functools.cache
def _dummy_hash(*params: int) -> str:
    return hash_password(secrets.token_hex(16), dict(zip(ARGON2_KEYS, params, strict=True)))


def upgrade_hash(user: User, password: str) -> None:
    """Re-hash with the current parameters when the stored hash used older ones."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        user.save(only=[User.password_hash])


def change_password(user: User, current: str, new: str, client_ip: str) -> None:
    """Check `current`, apply the rules to `new`, store it and invalidate every old session
    and API token; the owner is told by mail. Raises Throttled or AccountError.
    """
    check_current_password(user, current, client_ip)
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    user.credential_stamp = new_credential_stamp()
    user.save(only=[User.password_hash, User.session_token, User.credential_stamp])
    sessions.end_all(user)
    log.info("password changed for user %s", user.id)
    send_notice(user, "password_changed")


def check_current_password(user: User, password: str, client_ip: str) -> None:
    """Raise Throttled or WrongPassword unless `password` is the user's.

    A wrong password counts as a failed login: a stolen session must not become a way around
    the throttle.
    """
    attempt = throttle.reserve(user.email, client_ip)
    if not verify_password(user.password_hash, password):
        attempt.failed()
        raise WrongPassword(_("current password is wrong"))
    attempt.uncount()


def end_all_sessions(user: User) -> None:
    """Log the user out everywhere: cookies holding the old token and API tokens stop working."""
    user.session_token = new_session_token()
    user.credential_stamp = new_credential_stamp()
    user.save(only=[User.session_token, User.credential_stamp])
    sessions.end_all(user)


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling also ends its sessions and API tokens for good
    (enabling it again does not bring them back)."""
    user.active = active
    if not active:
        user.session_token = new_session_token()
        user.credential_stamp = new_credential_stamp()
    user.save(only=[User.active, User.session_token, User.credential_stamp])
    if not active:
        sessions.end_all(user)
    log.info("user %s %s", user.id, "enabled" if active else "disabled")
