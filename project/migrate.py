"""Versioned schema migrations (peewee-migrate), applied by `scripts/ctl` before workers start."""

from __future__ import annotations

import logging
from pathlib import Path

import peewee
from peewee_migrate import Router

from .extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number: two hosts migrating one PostgreSQL database at once take turns on it.
PG_ADVISORY_LOCK_ID = 720_431_118


def router() -> Router:
    logger = logging.getLogger(__name__)
    return Router(db, migrate_dir=MIGRATIONS_DIR, logger=logger)


def pending() -> list[str]:
    """Names of migrations not applied yet."""
    return router().diff


def apply_pending() -> list[str]:
    """Apply every pending migration in order; returns the names applied (maybe none)."""
    with advisory_lock():
        return router().run()


class advisory_lock:
    """Serialise migrations across hosts on PostgreSQL; SQLite serialises writers itself."""

    def __enter__(self):
        if isinstance(db.obj, peewee.PostgresqlDatabase):
            db.execute_sql("SELECT pg_advisory_lock(%s)", (PG_ADVISORY_LOCK_ID,))

    def __exit__(self, *exc):
        if isinstance(db.obj, peewee.PostgresqlDatabase):
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (PG_ADVISORY_LOCK_ID,))
