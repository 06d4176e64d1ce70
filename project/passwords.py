"""argon2id password hashing with the cost taken from the app config."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from .hashing_budget import hashing_slot_held


def hasher(config=None) -> PasswordHasher:
    config = current_app.config if config is None else config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str, config=None) -> str:
    with hashing_slot_held():
        return hasher(config).hash(password)


def verify_password(password_hash: str, password: str, config=None) -> bool:
    """True when `password` matches; a malformed stored hash counts as a mismatch."""
    try:
        with hashing_slot_held():
            return hasher(config).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, config=None) -> bool:
    """True when the stored hash was made with other parameters than the current config's."""
    return hasher(config).check_needs_rehash(password_hash)
