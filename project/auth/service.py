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
