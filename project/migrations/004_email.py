"""Email confirmation: when each user's current address was confirmed (null: not yet)."""

import peewee as pw


def migrate(migrator, database, *, fake=False):
    # Existing users stay unconfirmed: nobody has shown that their address reaches them.
    migrator.add_fields("users", email_confirmed_at=pw.DateTimeField(null=True))


def rollback(migrator, database, *, fake=False):
    migrator.remove_fields("users", "email_confirmed_at")
