"""The operator's account chores behind `scripts/ctl users|set-password|set-role|unlock`.

Plain functions over the models, under an app context; the same rules as the pages: the
password rules apply, and a new password ends every session (and token) of the account.
"""

from __future__ import annotations

from ..auth import service, throttle
from ..models import User
from ..passwords import hash_password
from ..user_errors import UserError

ROLES = ("user", "admin")


def find_user(email: str) -> User:
    user = User.get_or_none(User.email == service.normalize_email(email))
    if user is None:
        raise UserError(f"no user with the address {email!r}")
    return user


def list_users() -> list[User]:
    return list(User.select().order_by(User.id))


def set_password(email: str, password: str) -> User:
    """Store a new password chosen by the operator; every old session and token ends."""
    user = find_user(email)
    service.check_password_rules(password)
    user.password_hash = hash_password(password)
    user.save(only=[User.password_hash])
    service.end_all_sessions(user)
    return user


def set_role(email: str, role: str) -> User:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    user = find_user(email)
    user.role = role
    user.save(only=[User.role])
    return user


def unlock(email: str) -> User:
    """Forget the account's failed logins, so its owner may log in again at once."""
    user = find_user(email)
    throttle.clear_account(user.email)
    return user
