"""Account operations as plain functions, shared by views, the API and `scripts/ctl`."""

from __future__ import annotations

import peewee
from email_validator import EmailNotValidError, validate_email

from ..errors import UserError
from ..extensions import db
from ..models import User
from ..passwords import hash_password

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


class AccountError(UserError):
    """An account cannot be created or changed as asked."""


def normalize_email(raw: str) -> str:
    """Lower-cased, stripped address; raises AccountError when it is not a valid address."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"invalid email address {raw.strip()!r}: {exc}") from None
    return result.normalized.lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"password must have at most {MAX_PASSWORD_LENGTH} characters")


def create_user(email: str, password: str, role: str = "user") -> User:
    """Create a user; AccountError for a bad email, a weak password or a taken address."""
    address = normalize_email(email)
    check_password_rules(password)
    try:
        with db.atomic():
            return User.create(email=address, password_hash=hash_password(password), role=role)
    except peewee.IntegrityError:
        raise AccountError(f"a user with email {address!r} already exists") from None


class InvalidCredentials(UserError):
    """Unknown email, wrong password or disabled account: one answer for all three."""

    def __init__(self):
        super().__init__("invalid email or password")


class Throttled(UserError):
    """Too many failed logins for this account or client address."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after


def authenticate(email: str, password: str, client_ip: str) -> User:
    """The active user with these credentials; raises Throttled or InvalidCredentials.

    Throttling is checked before any hashing so a flood of guesses costs no CPU.
    The accounts work implements the throttle (project/auth/throttle.py) and timing equalisation.
    """
    from ..passwords import needs_rehash, verify_password

    try:
        address = normalize_email(email)
    except AccountError:
        raise InvalidCredentials() from None
    user = User.get_or_none(User.email == address)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        user.save(only=[User.password_hash])
    return user
