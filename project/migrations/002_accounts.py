"""Accounts: a per-user session token (backfilled for existing rows) and login failures."""

import datetime as dt
import secrets

import peewee as pw


def backfill_session_tokens(users) -> None:
    """Each existing user gets its own random token (a column default would give all one)."""
    for user in users.select(users.id).where(users.session_token.is_null()):
        token = secrets.token_urlsafe(32)
        users.update(session_token=token).where(users.id == user.id).execute()


def migrate(migrator, database, *, fake=False):
    migrator.add_fields("users", session_token=pw.CharField(max_length=64, null=True))
    migrator.run(backfill_session_tokens, migrator.orm["users"])
    if not fake:
        # Queued operations share the field object that add_not_null changes below:
        # run the nullable add and the backfill first.
        migrator()
    migrator.add_not_null("users", "session_token")
    migrator.add_index("users", "session_token", unique=True)

    @migrator.create_model
    class LoginFailure(pw.Model):
        id = pw.AutoField()
        scope = pw.CharField(max_length=10)
        key = pw.CharField(max_length=254)
        failed_at = pw.DateTimeField(default=dt.datetime.utcnow, index=True)

        class Meta:
            table_name = "login_failures"
            indexes = ((("scope", "key", "failed_at"), False),)


def rollback(migrator, database, *, fake=False):
    migrator.remove_model("login_failures")
    migrator.drop_index("users", "session_token")
    migrator.remove_fields("users", "session_token")
